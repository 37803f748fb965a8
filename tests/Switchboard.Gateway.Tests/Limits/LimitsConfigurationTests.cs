using Switchboard.Cli.Commands;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Gateway.Tests.Limits;

/// <summary>A bad <c>limits:</c> section, or a bad <c>rpm</c>/<c>tpm</c>, stops start-up naming the key.</summary>
public sealed class LimitsConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("switchboard-limits-config-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory.FullName, "limits.yaml");
        File.WriteAllText(path, "providers:\n  - {name: a, type: mock}\n" + text);
        return path;
    }

    private static string BuildFails(string path) =>
        Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = BuiltInProviders.Register,
        })).Message;

    [Fact]
    public void AnUnknownAlgorithmIsNamed() =>
        Assert.Contains(
            "limits.yaml: limits.algorithm: 'leaky' is not an algorithm; use token_bucket or sliding_window.",
            BuildFails(Write("models:\n  - {name: m, deployments: [{provider: a}]}\nlimits: {algorithm: leaky}\n")),
            StringComparison.Ordinal);

    [Fact]
    public void NegativeLimitsAreNamed()
    {
        var message = BuildFails(Write("models:\n  - name: m\n    rpm: -1\n    deployments: [{provider: a, tpm: -5}]\nlimits: {per_user: {rpm: -2}}\n"));

        Assert.Contains("limits.yaml: models[0].rpm: must be 0 (no limit) or more.", message, StringComparison.Ordinal);
        Assert.Contains("limits.yaml: models[0].deployments[0].tpm: must be 0 (no limit) or more.", message, StringComparison.Ordinal);
        Assert.Contains("limits.yaml: limits.per_user.rpm: must be 0 (no limit) or more.", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMisspeltLimitsKeyIsNamed() =>
        Assert.Contains(
            "limits.per_usr: unknown key",
            BuildFails(Write("models:\n  - {name: m, deployments: [{provider: a}]}\nlimits: {per_usr: {rpm: 1}}\n")),
            StringComparison.Ordinal);

    [Fact]
    public void DurationsAndAlgorithmsBind()
    {
        var path = Write("models:\n  - {name: m, rpm: 5, deployments: [{provider: a, rpm: 2}]}\nlimits: {algorithm: sliding_window, redis_timeout: 250ms, redis_fail_open: false}\n");
        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = BuiltInProviders.Register,
        });
        var settings = (Switchboard.Limits.LimiterSettings)app.Services.GetService(typeof(Switchboard.Limits.LimiterSettings))!;

        Assert.Equal(Switchboard.Limits.LimitAlgorithm.SlidingWindow, settings.Algorithm);
        Assert.False(settings.FailOpen);
        ((IDisposable)app).Dispose();
    }
}
