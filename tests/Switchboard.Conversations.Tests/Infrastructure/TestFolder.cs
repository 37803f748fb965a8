namespace Switchboard.Conversations.Tests.Infrastructure;

/// <summary>A temporary folder for a test's configuration, fixtures and SQLite file, deleted afterwards.</summary>
public sealed class TestFolder : IDisposable
{
    public TestFolder() => Path = Directory.CreateTempSubdirectory("switchboard-conversations-").FullName;

    public string Path { get; }

    /// <summary>A SQLite connection string to a file in the folder (pooling off, so the file can be deleted at the end).</summary>
    public string SqliteConnection => $"Data Source={System.IO.Path.Combine(Path, "switchboard.db")};Pooling=False";

    /// <summary>Writes the fixtures file and returns its path.</summary>
    public string WriteFixtures(string yaml)
    {
        var file = System.IO.Path.Combine(Path, "fixtures.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection; the temp folder is cleaned by the system.
        }
    }
}
