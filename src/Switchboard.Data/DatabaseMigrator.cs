using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Data;

/// <summary>Brings the schema up to date before the gateway takes requests (hosted services start before the server).</summary>
public sealed partial class DatabaseMigrator(SwitchboardDatabase database, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatabaseUnavailableException($"database: cannot open {database.Describe()} to apply migrations: {ex.GetBaseException().Message}", ex);
        }

        Log.Ready(logger, database.Describe());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Database ready: {Database}")]
        public static partial void Ready(ILogger logger, string database);
    }
}
