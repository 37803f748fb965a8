using Switchboard.Conversations.Storage;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>Where a SQLite connection string puts the conversations, as the gateway's own database reads it.</summary>
public sealed class ConversationDatabaseTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFileInFoldersNotThereYetGetsThem()
    {
        var file = Path.Combine(_folder.Path, "a", "b", "conversations.db");
        var database = new ConversationDatabase("sqlite", $"Data Source={file};Pooling=False");

        await database.MigrateAsync(Token);

        Assert.True(File.Exists(file));
        Assert.Equal($"SQLite {file}", database.Describe());
    }

    [Fact]
    public async Task AFileUriMakesNoFolderOfItsOwn()
    {
        var uri = $"file:{_folder.Path}/uri.db";
        var database = new ConversationDatabase("sqlite", $"Data Source={uri};Pooling=False");

        await database.MigrateAsync(Token);

        Assert.True(File.Exists(Path.Combine(_folder.Path, "uri.db")));
        // Read as a path, the URI names a folder "file:..." under the working directory: none is made.
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(uri))));
        Assert.Equal($"SQLite {uri}", database.Describe());
    }
}
