using Microsoft.Extensions.Configuration;
using Switchboard.Data;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Cli.Commands;

/// <summary>Opens the database that <c>serve</c> with the same <c>--config</c> would use, migrated, for the CLI's data commands.</summary>
public static class DatabaseCommandContext
{
    /// <summary>The config option shared by <c>keys</c> and <c>usage</c>.</summary>
    public static System.CommandLine.Option<string?> ConfigOption()
    {
        var config = new System.CommandLine.Option<string?>("--config", "-c")
        {
            Description = "The configuration file serve uses (its database: section); without it the embedded default (./.switchboard/switchboard.db).",
        };
        CommonOptions.MustExist(config);
        return config;
    }

    /// <summary>The database, or a one-line problem (exit code 2 for configuration, 1 for an unreachable database).</summary>
    public static async Task<(SwitchboardDatabase? Database, string? Problem, int ExitCode)> OpenAsync(string? configPath, CancellationToken cancellationToken)
    {
        var source = configPath is null ? "embedded default" : Path.GetFileName(configPath);
        DatabaseOptions options;
        try
        {
            var configuration = GatewayConfigurationLoader.Load(configPath is null ? null : Path.GetFullPath(configPath));
            options = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        }
        catch (ConfigurationFileException ex)
        {
            return (null, ex.Message, SwitchboardCommandLine.UsageError);
        }
        catch (InvalidOperationException ex)
        {
            return (null, $"{source}: database: {ex.InnerException?.Message ?? ex.Message}", SwitchboardCommandLine.UsageError);
        }

        var validation = new DatabaseOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            return (null, string.Join(Environment.NewLine, validation.Failures!.Select(f => $"{source}: {f}")), SwitchboardCommandLine.UsageError);
        }

        var database = new SwitchboardDatabase(options);
        try
        {
            await database.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, $"database: cannot open {database.Describe()}: {ex.GetBaseException().Message}", 1);
        }

        return (database, null, 0);
    }
}
