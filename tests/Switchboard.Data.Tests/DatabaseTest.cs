namespace Switchboard.Data.Tests;

/// <summary>A test class with a folder of its own, and databases of either provider made on demand.</summary>
public abstract class DatabaseTest : IDisposable
{
    protected DirectoryInfo Folder { get; } = Directory.CreateTempSubdirectory("switchboard-data-");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<DatabaseOptions> OptionsAsync(string provider) =>
        provider == "postgres" ? await TestDatabases.PostgresAsync(Folder, "data") : TestDatabases.Sqlite(Folder);

    protected async Task<SwitchboardDatabase> DatabaseAsync(string provider) => await TestDatabases.MigratedAsync(await OptionsAsync(provider));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Folder.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}
