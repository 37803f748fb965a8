using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Switchboard.Cli.Commands;
using Switchboard.Gateway;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>The real gateway (<c>switchboard serve</c>) on a free loopback port, with the embedded default or a configuration written for the test.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _directory;

    private TestGateway(WebApplication app, string? directory)
    {
        _app = app;
        _directory = directory;
        OpenAIEndpoint = new Uri(app.ListeningUrl() + "/v1");
    }

    /// <summary><c>http://127.0.0.1:PORT/v1</c>: what <see cref="LlmClientOptions.BaseUrl"/> is set to.</summary>
    public Uri OpenAIEndpoint { get; }

    /// <param name="yaml">A configuration file's text, or null for the embedded default (the <c>mock-echo</c> model).</param>
    public static async Task<TestGateway> StartAsync(string? yaml = null)
    {
        string? directory = null;
        string? path = null;
        if (yaml is not null)
        {
            directory = Directory.CreateTempSubdirectory("switchboard-client-test-").FullName;
            path = Path.Combine(directory, "switchboard.yaml");
            await File.WriteAllTextAsync(path, yaml);
        }

        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Host = "127.0.0.1",
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = BuiltInProviders.Register,
            ConfigureLogging = logging => logging.SetMinimumLevel(LogLevel.None),
        });
        await app.StartAsync();
        return new TestGateway(app, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAndDisposeAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
