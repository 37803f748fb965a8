using System.CommandLine;

namespace Switchboard.Cli.Commands;

/// <summary>The <c>switchboard</c> command line: parses flags, reports bad ones in one line with exit code 2.</summary>
public static class SwitchboardCommandLine
{
    /// <summary>Exit code for bad flags or a bad configuration file.</summary>
    public const int UsageError = 2;

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
            await Console.Error.WriteLineAsync($"switchboard: {parseResult.Errors[0].Message} (see 'switchboard --help')");
            return UsageError;
        }

        // SIGTERM and Ctrl+C are left to the host, which lets requests under way finish within
        // server.shutdown_timeout; System.CommandLine's own handler would kill the process after 2 s.
        return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
