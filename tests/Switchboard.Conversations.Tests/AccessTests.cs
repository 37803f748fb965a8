using System.Net;
using System.Net.Http.Headers;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>With a master key, conversations need a key like every other endpoint, and the list needs the master key.</summary>
public sealed class AccessTests : IDisposable
{
    private const string MasterKey = "sk-test-master-key-0123456789";
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConversationsAreBehindTheKeysWhenAMasterKeyIsSet()
    {
        var yaml = Configs.Yaml(_folder.WriteFixtures("""
            - match: { last_user: "ann: hello" }
              response: Hello Ann.
            """), Configs.Sqlite(_folder)) + $"\nauth: {{master_key: \"{MasterKey}\"}}\n";
        await using var server = await ConversationServer.StartAsync(_folder.Path, yaml);

        var (chatStatus, _) = await server.ChatAsync(new { username = "ann", message = "hello" }, Token);
        Assert.Equal(HttpStatusCode.Unauthorized, chatStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);

        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        // The refused message left nothing behind.
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        var (status, reply) = await server.ChatAsync(new { username = "ann", message = "hello" }, Token);
        Assert.True(status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);
    }

    [Fact]
    public async Task TheDashboardsSessionListsAndReadsConversationsButNeverChats()
    {
        var yaml = Configs.Yaml(_folder.WriteFixtures("""
            - match: { last_user: "ann: hello" }
              response: Hello Ann.
            """), Configs.Sqlite(_folder)) + $"\nauth: {{master_key: \"{MasterKey}\"}}\n";
        await using var server = await ConversationServer.StartAsync(_folder.Path, yaml);
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsync(new { username = "ann", message = "hello" }, Token)).Status);
        server.Http.DefaultRequestHeaders.Authorization = null;

        // Signed in as the browser does: the client keeps the cookie and sends no key from here on.
        using var login = await server.Http.PostAsync("/ui/api/login", new StringContent($$"""{"key":"{{MasterKey}}"}""", System.Text.Encoding.UTF8, "application/json"), Token);
        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        server.Http.DefaultRequestHeaders.Add(Gateway.Auth.DashboardSessions.CsrfHeader, "1");

        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        var (chatStatus, _) = await server.ChatAsync(new { username = "ann", message = "hello again" }, Token);
        Assert.Equal(HttpStatusCode.Unauthorized, chatStatus);
    }
}
