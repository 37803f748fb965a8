using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Conversations.Storage;

namespace Switchboard.Conversations;

/// <summary>Brings the conversation tables up to date before the server takes requests (hosted services start first).</summary>
public sealed partial class ConversationsMigrator(ConversationDatabase database, ILogger<ConversationsMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"conversations: cannot open {database.Describe()} to apply migrations: {ex.GetBaseException().Message}", ex);
        }

        Log.Ready(logger, database.Describe());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Conversations ready in {Database}")]
        public static partial void Ready(ILogger logger, string database);
    }
}
