using System.Net;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>Conversations in the database: across restarts, one message at a time, idle expiry.</summary>
public sealed class PersistenceTests : IDisposable
{
    /// <summary>
    /// Whichever message gets the conversation first, the other must see its reply. The first answers slowly, so
    /// without the queue the second would read the history before the first reply is stored and match neither
    /// "saw" fixture.
    /// </summary>
    internal const string ConcurrencyFixtures = """
        - name: ann alone
          match:
            conversation:
              - system: You are TestBot.
              - user: "ann: first"
          response: { content: reply to ann, delay_ms: 300 }
        - name: bob alone
          match:
            conversation:
              - system: You are TestBot.
              - user: "bob: second"
          response: { content: reply to bob, delay_ms: 300 }
        - name: bob after ann
          match:
            conversation:
              - system: You are TestBot.
              - user: "ann: first"
              - assistant: reply to ann
              - user: "bob: second"
          response: bob saw ann
        - name: ann after bob
          match:
            conversation:
              - system: You are TestBot.
              - user: "bob: second"
              - assistant: reply to bob
              - user: "ann: first"
          response: ann saw bob
        """;

    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheDialogueSurvivesARestart()
    {
        var yaml = Configs.Yaml(_folder.WriteFixtures("""
            - match:
                conversation:
                  - system: You are TestBot.
                  - user: "ann: remember the number 42"
              response: I will remember 42.
            - match:
                conversation:
                  - system: You are TestBot.
                  - user: "ann: remember the number 42"
                  - assistant: I will remember 42.
                  - user: "ann: which number?"
              response: It was 42.
            """), Configs.Sqlite(_folder));

        await using (var first = await ConversationServer.StartAsync(_folder.Path, yaml))
        {
            var (status, _) = await first.ChatAsync(new { username = "ann", message = "remember the number 42", conversation = "memory" }, Token);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        await using var second = await ConversationServer.StartAsync(_folder.Path, yaml);
        var (contextStatus, context) = await second.SendAsync(HttpMethod.Get, "/context?conversation=memory", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.OK, contextStatus);
        Assert.Equal(2, context.GetProperty("turns").GetArrayLength());
        var (_, reply) = await second.ChatAsync(new { username = "ann", message = "which number?", conversation = "memory" }, Token);
        Assert.Equal("It was 42.", reply.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task TwoMessagesAtOnceAreAnsweredOneAfterTheOther()
    {
        await using var server = await ConversationServer.StartAsync(_folder.Path, Configs.Yaml(_folder.WriteFixtures(ConcurrencyFixtures), Configs.Sqlite(_folder)));

        var ann = server.ChatAsync(new { username = "ann", message = "first" }, Token);
        var bob = server.ChatAsync(new { username = "bob", message = "second" }, Token);
        var replies = (await Task.WhenAll(ann, bob)).Select(r => r.Body.GetProperty("reply").GetString()).ToList();

        Assert.True(replies.Contains("bob saw ann") || replies.Contains("ann saw bob"), string.Join(" | ", replies));
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal(4, context.GetProperty("turns").GetArrayLength());
    }

    [Fact]
    public async Task AnIdleConversationExpiresAndANewMessageStartsAfresh()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        await using var server = await ConversationServer.StartAsync(
            _folder.Path,
            Configs.Yaml(
                _folder.WriteFixtures("""
                    - match:
                        conversation:
                          - system: You are TestBot.
                          - user: "ann: hello"
                      response: Hello, stranger.
                    """),
                Configs.Sqlite(_folder),
                conversations: "  idle_timeout: 30m"),
            time);

        await server.ChatAsync(new { username = "ann", message = "hello" }, Token);
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        // Were the history still there, the model would get it and the fixture would not match.
        var (status, reply) = await server.ChatAsync(new { username = "ann", message = "hello" }, Token);
        Assert.True(status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal("Hello, stranger.", reply.GetProperty("reply").GetString());
    }
}
