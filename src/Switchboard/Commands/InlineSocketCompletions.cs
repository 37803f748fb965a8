namespace Switchboard.Cli.Commands;

/// <summary>
/// Runs socket completions on the socket engine's own threads (one per core) instead of queueing each to the thread
/// pool. .NET reads this only from the environment, once, when the process opens its first socket: a command sets
/// it before its server starts, and a value the user set (to "0" or "1") wins.
/// </summary>
internal static class InlineSocketCompletions
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
