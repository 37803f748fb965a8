using Microsoft.Extensions.Options;
using Switchboard.Data.Protection;

namespace Switchboard.Data;

/// <summary>Checks <c>database:</c> at start-up; each failure names the key as the file spells it.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!DatabaseProviders.IsSqlite(options.Provider) && !DatabaseProviders.IsPostgres(options.Provider))
        {
            failures.Add($"database.provider: '{options.Provider}' is not supported; use sqlite or postgres.");
        }

        if (string.IsNullOrWhiteSpace(options.Connection))
        {
            failures.Add("database.connection: a connection string is needed (Data Source=FILE for sqlite, Host=...;Database=... for postgres).");
        }
        else
        {
            try
            {
                _ = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.Connection };
            }
            catch (ArgumentException ex)
            {
                failures.Add($"database.connection: not a connection string: {ex.Message}");
            }
        }

        if (options.StoreMessages)
        {
            if (EncryptionKey.TryParse(options.EncryptionKey, out var problem) is null)
            {
                failures.Add($"database.encryption_key: {problem} (database.store_messages is true).");
            }

            for (var i = 0; i < options.PreviousEncryptionKeys.Count; i++)
            {
                if (EncryptionKey.TryParse(options.PreviousEncryptionKeys[i], out var previousProblem) is null)
                {
                    failures.Add($"database.previous_encryption_keys[{i}]: {previousProblem}.");
                }
            }
        }

        if (options.QueueCapacity is < 1 or > 1_000_000)
        {
            failures.Add("database.queue_capacity: must be between 1 and 1000000.");
        }

        if (options.BatchSize is < 1 or > 10_000)
        {
            failures.Add("database.batch_size: must be between 1 and 10000.");
        }

        if (options.FlushInterval < TimeSpan.Zero || options.FlushInterval > TimeSpan.FromSeconds(10))
        {
            failures.Add("database.flush_interval: must be between 0 and 10s.");
        }

        if (options.WriteTimeout <= TimeSpan.Zero)
        {
            failures.Add("database.write_timeout: must be longer than zero.");
        }

        if (string.IsNullOrWhiteSpace(options.SpillPath))
        {
            failures.Add("database.spill_path: a file path is needed.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
