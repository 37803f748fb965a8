using System.Text.RegularExpressions;
using Switchboard.Mock.Server;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>No container engine runs here: check that Dockerfile and compose.yaml run the command the tests run.</summary>
public sealed partial class ContainerFilesTests
{
    [Fact]
    public async Task DockerfileAndComposeRunTheSameMockCommandTheTestsRun()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(TestData.Samples))!;
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(root, "Dockerfile"), TestContext.Current.CancellationToken);
        var compose = await File.ReadAllTextAsync(Path.Combine(root, "compose.yaml"), TestContext.Current.CancellationToken);

        var dockerCommand = CommandPattern().Match(dockerfile.Split('\n').Single(l => l.StartsWith("CMD ", StringComparison.Ordinal))).Groups[1].Value;
        var composeCommand = CommandPattern().Match(compose.Split('\n').Single(l => l.TrimStart().StartsWith("command:", StringComparison.Ordinal))).Groups[1].Value;
        Assert.Equal(dockerCommand, composeCommand);
        Assert.Equal("\"mock\", \"--fixtures\", \"/fixtures\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\", \"--watch\"", dockerCommand);
        Assert.Contains("./samples/fixtures:/fixtures", compose, StringComparison.Ordinal);

        // The container's options are valid with the admin token compose passes, and refused without one; the same
        // server, on loopback and a free port with the mounted folder, starts and answers. (Not on 0.0.0.0 here: that
        // would expose the admin API of a CI machine.)
        Assert.Contains("SWITCHBOARD_ADMIN_TOKEN: ${SWITCHBOARD_ADMIN_TOKEN:?", compose, StringComparison.Ordinal);
        var container = new MockServerOptions { FixturesPath = "/fixtures", Host = "0.0.0.0", Port = 8080, Watch = true };
        Assert.Empty((container with { AdminToken = "from-the-environment" }).Validate());
        Assert.NotEmpty(container.Validate());
        await using var mock = await MockLlmServer.StartAsync(
            b => b.AddFixturesFrom(TestData.Samples).Watch(),
            TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1", mock.BaseUrl.Host);
        Assert.True(mock.Engine.Fixtures.Count > 0);
    }

    [GeneratedRegex(@"\[(.*)\]")]
    private static partial Regex CommandPattern();
}
