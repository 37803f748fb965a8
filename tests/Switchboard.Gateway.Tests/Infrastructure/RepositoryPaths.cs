namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>Finds files of the repository from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The CLI as its own build wrote it. Its deps.json names packages newer than the shared framework (EF Core's
    /// Microsoft.Extensions.* 10.0.15) that it copied beside itself; a test project's output folder resolves those
    /// against the framework instead and lacks them, so <c>dotnet exec</c> of the copy there fails to start.
    /// </summary>
    public static string SwitchboardDll { get; } = FindSwitchboardDll();

    private static string FindSwitchboardDll()
    {
        var configuration = typeof(RepositoryPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
        var own = Path.Combine(Root, "src", "Switchboard", "bin", configuration, "net10.0", "switchboard.dll");
        return File.Exists(own) ? own : typeof(Switchboard.Cli.Commands.BuiltInProviders).Assembly.Location;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchboard.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Switchboard.sln not found above " + AppContext.BaseDirectory);
    }
}
