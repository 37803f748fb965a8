using System.Net;
using Npgsql;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>Two replicas of serve on one PostgreSQL database (from scripts/test-services.sh).</summary>
public sealed class PostgresReplicaTests : IDisposable
{
    internal const string Variable = "SWITCHBOARD_TEST_POSTGRES";
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoReplicasShareConversationsAndAnswerOneMessageAfterTheOther()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(server), $"{Variable} is not set; run the tests through test.sh (or source scripts/test-services.sh) to get PostgreSQL.");
        var connection = await CreateDatabaseAsync(server!);
        var yaml = Configs.Yaml(_folder.WriteFixtures(PersistenceTests.ConcurrencyFixtures), $"{{provider: postgres, connection: \"{connection}\"}}");

        await using var one = await ConversationServer.StartAsync(_folder.Path, yaml);
        await using var two = await ConversationServer.StartAsync(_folder.Path, yaml);
        var ann = one.ChatAsync(new { username = "ann", message = "first", conversation = "shared" }, Token);
        var bob = two.ChatAsync(new { username = "bob", message = "second", conversation = "shared" }, Token);
        var results = await Task.WhenAll(ann, bob);

        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, r.Body.ToString()));
        var replies = results.Select(r => r.Body.GetProperty("reply").GetString()).ToList();
        Assert.True(replies.Contains("bob saw ann") || replies.Contains("ann saw bob"), string.Join(" | ", replies));
        foreach (var replica in new[] { one, two })
        {
            var (_, context) = await replica.SendAsync(HttpMethod.Get, "/context?conversation=shared", cancellationToken: Token);
            Assert.Equal(4, context.GetProperty("turns").GetArrayLength());
        }
    }

    [Fact]
    public async Task TwoReplicasKeepEachKeysConversationsApart()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrEmpty(server), $"{Variable} is not set; run the tests through test.sh (or source scripts/test-services.sh) to get PostgreSQL.");
        var connection = await CreateDatabaseAsync(server!);
        var yaml = Configs.Yaml(_folder.WriteFixtures(PartitionTests.Fixtures), $"{{provider: postgres, connection: \"{connection}\"}}")
            + $"\nauth: {{master_key: \"{PartitionTests.MasterKey}\"}}\n";

        await using var one = await ConversationServer.StartAsync(_folder.Path, yaml);
        await using var two = await ConversationServer.StartAsync(_folder.Path, yaml);
        var (annId, ann) = await one.CreateKeyAsync(PartitionTests.MasterKey, new { name = "ann-app" }, Token);
        var (_, bob) = await one.CreateKeyAsync(PartitionTests.MasterKey, new { name = "bob-app" }, Token);
        var results = await Task.WhenAll(
            one.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token),
            two.ChatAsAsync(bob, new { username = "bob", message = "hello" }, Token));

        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.OK, r.Body.ToString()));
        Assert.Equal(["hello ann", "bob alone"], results.Select(r => r.Body.GetProperty("reply").GetString()));
        var (_, annContext) = await two.SendAsAsync(ann, HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal("ann", annContext.GetProperty("turns")[0].GetProperty("username").GetString());
        Assert.Equal(2, annContext.GetProperty("turns").GetArrayLength());
        var (_, list) = await two.SendAsAsync(PartitionTests.MasterKey, HttpMethod.Get, "/conversations", cancellationToken: Token);
        Assert.Contains(list.GetProperty("conversations").EnumerateArray(), c => c.GetProperty("partition").GetString() == $"key:{annId}");
        Assert.Equal(2, list.GetProperty("conversations").GetArrayLength());
    }

    internal static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = $"conversations_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(Token);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(Token);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
