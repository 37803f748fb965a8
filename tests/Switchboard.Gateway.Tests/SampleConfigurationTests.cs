using Microsoft.Extensions.DependencyInjection;
using Switchboard.Cli.Commands;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The configurations users copy: they must not hide a failing real model behind a mock.</summary>
public sealed class SampleConfigurationTests
{
    [Fact]
    public async Task NoSampleFallsBackFromARealModelToAMock()
    {
        var samples = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "samples"), "*.yaml", SearchOption.TopDirectoryOnly);
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            await using var app = GatewayHost.Build(new GatewayHostOptions
            {
                ConfigPath = sample,
                Port = 0,
                Environment = new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-sample" },
                ConfigureServices = BuiltInProviders.Register,
            });
            var routes = app.Services.GetRequiredService<RouteTable>();
            foreach (var model in routes.Models.Where(m => !IsMock(m)))
            {
                foreach (var fallback in model.Fallbacks)
                {
                    Assert.False(
                        routes.Find(fallback) is { } target && IsMock(target),
                        $"{Path.GetFileName(sample)}: '{model.Name}' falls back to '{fallback}', a mock: a failing real model would answer with the mock's text and status 200.");
                }
            }
        }
    }

    private static bool IsMock(ModelRoute route) => route.Deployments.All(d => d.Provider.Type == "mock");
}
