namespace Switchboard.Data;

/// <summary>The values of <c>database.provider</c>.</summary>
public static class DatabaseProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>True for <c>postgres</c> and its long spelling <c>postgresql</c>.</summary>
    public static bool IsPostgres(string? provider) =>
        string.Equals(provider, Postgres, StringComparison.OrdinalIgnoreCase) || string.Equals(provider, "postgresql", StringComparison.OrdinalIgnoreCase);

    public static bool IsSqlite(string? provider) => string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase);
}
