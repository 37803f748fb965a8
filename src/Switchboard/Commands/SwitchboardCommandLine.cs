using System.CommandLine;

namespace Switchboard.Cli.Commands;

/// <summary>The <c>switchboard</c> command line: parses flags, reports bad ones in one line with exit code 2.</summary>
public static class SwitchboardCommandLine
{
    /// <summary>Exit code for bad flags or a bad configuration file.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> and runs the command; the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Switchboard: an OpenAI-compatible LLM gateway, mock server and toolkit for .NET teams.")
        {
            ServeCommand.Create(),
            MockCommand.Create(),
            KeysCommand.Create(),
            UsageCommand.Create(),
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"switchboard: {UnknownCommand(root, args) ?? parseResult.Errors[0].Message} (see 'switchboard --help')");
            return UsageError;
        }

        // SIGTERM and Ctrl+C are left to the host, which lets requests under way finish within
        // server.shutdown_timeout; System.CommandLine's own handler would kill the process after 2 s.
        return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>
    /// "'srve' is not a command. Did you mean 'serve'?" when the first argument names no command; null otherwise.
    /// System.CommandLine would report only that a command is missing.
    /// </summary>
    private static string? UnknownCommand(RootCommand root, string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || root.Subcommands.Any(c => c.Name == args[0] || c.Aliases.Contains(args[0])))
        {
            return null;
        }

        var closest = ClosestName.Find(args[0], root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        return closest is null ? $"'{args[0]}' is not a command." : $"'{args[0]}' is not a command. Did you mean '{closest}'?";
    }
}
