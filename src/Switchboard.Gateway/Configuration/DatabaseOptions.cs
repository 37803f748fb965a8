namespace Switchboard.Gateway.Configuration;

/// <summary><c>database:</c> where keys and usage are kept.</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The connection string (<c>Data Source=...</c> for SQLite, a PostgreSQL connection string otherwise).</summary>
    public string Connection { get; set; } = "Data Source=.switchboard/switchboard.db";
}
