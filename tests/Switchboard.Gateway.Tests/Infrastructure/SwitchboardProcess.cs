using System.Diagnostics;
using Switchboard.Cli.Commands;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// Starts the <c>switchboard</c> executable built beside the tests. It runs with the test project's dependency
/// file: the copy of switchboard.deps.json here names package versions (EF Core's Microsoft.Extensions.* 10.0.x)
/// that this folder, resolved against the shared framework for the tests, does not hold.
/// </summary>
public static class SwitchboardProcess
{
    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var dll = typeof(BuiltInProviders).Assembly.Location;
        var folder = Path.GetDirectoryName(dll)!;
        var testDeps = Directory.GetFiles(folder, "Switchboard.Gateway.Tests.deps.json").Single();
        return new ProcessStartInfo("dotnet", ["exec", "--depsfile", testDeps, "--runtimeconfig", Path.Combine(folder, "switchboard.runtimeconfig.json"), dll, .. arguments])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
    }
}
