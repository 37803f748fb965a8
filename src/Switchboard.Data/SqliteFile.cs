using Microsoft.Data.Sqlite;

namespace Switchboard.Data;

/// <summary>The file a SQLite connection string names.</summary>
public static class SqliteFile
{
    /// <summary>Its full path; null for an in-memory database, a <c>file:</c> URI or no data source at all.</summary>
    public static string? PathOf(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal)
            ? null
            : Path.GetFullPath(dataSource);
    }
}
