using System.Net;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>Wrong keys sent to the conversations endpoints count against the client's address like anywhere else.</summary>
public sealed class KeyThrottleTests : IDisposable
{
    private const string MasterKey = "sk-test-master-key-0123456789";
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WrongKeysOnChatContextAndConversationsLeadTo429ButAVerifiedKeyKeepsTalking()
    {
        var yaml = Configs.Yaml(_folder.WriteFixtures("""
            - match: { last_user: { contains: hello } }
              response: Hello.
            """), Configs.Sqlite(_folder)) + $"\nauth: {{master_key: \"{MasterKey}\", failed_key_limit: 3}}\n";
        await using var server = await ConversationServer.StartAsync(_folder.Path, yaml);
        var (_, key) = await server.CreateKeyAsync(MasterKey, new { name = "ann" }, Token);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(key, new { username = "ann", message = "hello" }, Token)).Status);

        // A virtual key is not the master key the list needs, but it is not a wrong key either: not counted.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsAsync(key, HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ChatAsAsync("wrong-key-number-one", new { username = "eve", message = "hello" }, Token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsAsync("wrong-key-number-two", HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsAsync("wrong-key-number-three", HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);

        var (status, body) = await server.SendAsAsync(MasterKey, HttpMethod.Get, "/conversations", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(key, new { username = "ann", message = "hello again" }, Token)).Status);
    }
}
