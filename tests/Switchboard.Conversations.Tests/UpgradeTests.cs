using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Conversations.Storage;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>Conversations stored before partitions existed stay where everyone who shared them before finds them.</summary>
public sealed class UpgradeTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConversationsFromBeforePartitionsAreInTheSharedPartitionOnSqlite()
    {
        await CreateBeforePartitionsAsync(new ConversationDatabase("sqlite", _folder.SqliteConnection));
        await using var server = await ConversationServer.StartAsync(_folder.Path, Configs.Yaml(_folder.WriteFixtures(PartitionTests.Fixtures), Configs.Sqlite(_folder)));

        var (status, context) = await server.SendAsync(HttpMethod.Get, "/context?conversation=old-room", cancellationToken: Token);
        var (_, list) = await server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token);

        Assert.True(status == HttpStatusCode.OK, context.ToString());
        Assert.Equal(2, context.GetProperty("turns").GetArrayLength());
        Assert.Equal("global", Assert.Single(list.GetProperty("conversations").EnumerateArray()).GetProperty("partition").GetString());
    }

    [Fact]
    public async Task ConversationsFromBeforePartitionsAreTheMasterKeysOnPostgres()
    {
        var server = Environment.GetEnvironmentVariable(PostgresReplicaTests.Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(server), $"{PostgresReplicaTests.Variable} is not set; run the tests through test.sh (or source scripts/test-services.sh) to get PostgreSQL.");
        var connection = await PostgresReplicaTests.CreateDatabaseAsync(server!);
        await CreateBeforePartitionsAsync(new ConversationDatabase("postgres", connection));
        var yaml = Configs.Yaml(_folder.WriteFixtures(PartitionTests.Fixtures), $"{{provider: postgres, connection: \"{connection}\"}}")
            + $"\nauth: {{master_key: \"{PartitionTests.MasterKey}\"}}\n";
        await using var gateway = await ConversationServer.StartAsync(_folder.Path, yaml);
        var (_, key) = await gateway.CreateKeyAsync(PartitionTests.MasterKey, new { name = "newcomer" }, Token);

        var (status, context) = await gateway.SendAsAsync(PartitionTests.MasterKey, HttpMethod.Get, "/context?conversation=old-room", cancellationToken: Token);
        var (keyStatus, _) = await gateway.SendAsAsync(key, HttpMethod.Get, "/context?conversation=old-room", cancellationToken: Token);

        Assert.True(status == HttpStatusCode.OK, context.ToString());
        Assert.Equal(2, context.GetProperty("turns").GetArrayLength());
        Assert.Equal("global", context.GetProperty("partition").GetString());
        Assert.Equal(HttpStatusCode.NotFound, keyStatus);
    }

    [Theory]
    [InlineData("sqlite", "Data Source=unused.db")]
    [InlineData("postgres", "Host=localhost")]
    public void EveryModelChangeHasAMigration(string provider, string connection)
    {
        using var context = new ConversationDatabase(provider, connection).CreateContext();

        Assert.False(context.Database.HasPendingModelChanges());
    }

    /// <summary>The schema of the first release with one conversation of two turns in it.</summary>
    private static async Task CreateBeforePartitionsAsync(ConversationDatabase database)
    {
        await using var context = database.CreateContext();
        await context.GetService<IMigrator>().MigrateAsync("Initial", Token);
        var now = DateTime.UtcNow;
        await context.Database.ExecuteSqlAsync(
            $"INSERT INTO conversations (name, summary_through, last_seq, turn_count, revision, created_at, last_active_at) VALUES ('old-room', 0, 2, 2, 1, {now}, {now})",
            Token);
        var id = await context.Database.SqlQuery<long>($"SELECT id AS \"Value\" FROM conversations WHERE name = 'old-room'").SingleAsync(Token);
        await context.Database.ExecuteSqlAsync(
            $"INSERT INTO conversation_turns (conversation_id, seq, role, speaker, text, tokens, at) VALUES ({id}, 1, 'user', 'ann', 'hello', 3, {now}), ({id}, 2, 'assistant', 'TestBot', 'hello ann', 3, {now})",
            Token);
    }
}
