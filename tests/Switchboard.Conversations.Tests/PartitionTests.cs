using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Conversations.Tests.Infrastructure;
using Switchboard.Data;
using Switchboard.Data.Usage;

namespace Switchboard.Conversations.Tests;

/// <summary>With keys on, each virtual key (or team) has conversation ids of its own; the master key sees them all.</summary>
public sealed class PartitionTests : IDisposable
{
    internal const string MasterKey = "sk-test-master-key-0123456789";

    /// <summary>Bob's reply tells whether the model saw Ann's message before his.</summary>
    internal const string Fixtures = """
        - name: ann alone
          match:
            conversation:
              - system: You are TestBot.
              - user: "ann: hello"
          response: hello ann
        - name: bob alone
          match:
            conversation:
              - system: You are TestBot.
              - user: "bob: hello"
          response: bob alone
        - name: bob after ann
          match:
            conversation:
              - system: You are TestBot.
              - user: "ann: hello"
              - assistant: hello ann
              - user: "bob: hello"
          response: bob saw ann
        """;

    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoKeysPostingToDefaultHaveSeparateDialogues()
    {
        await using var server = await StartAsync();
        var (annId, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app" }, Token);
        var (_, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app" }, Token);

        var (annStatus, annReply) = await server.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token);
        var (bobStatus, bobReply) = await server.ChatAsAsync(bob, new { username = "bob", message = "hello" }, Token);

        Assert.True(annStatus == HttpStatusCode.OK, annReply.ToString());
        Assert.True(bobStatus == HttpStatusCode.OK, bobReply.ToString());
        Assert.Equal("bob alone", bobReply.GetProperty("reply").GetString());
        Assert.Equal("default", annReply.GetProperty("conversation").GetString());
        Assert.Equal("default", bobReply.GetProperty("conversation").GetString());
        var (_, annContext) = await server.SendAsAsync(ann, HttpMethod.Get, "/context", cancellationToken: Token);
        var (_, bobContext) = await server.SendAsAsync(bob, HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal(["ann", "TestBot"], Speakers(annContext));
        Assert.Equal(["bob", "TestBot"], Speakers(bobContext));
        Assert.Equal("default", annContext.GetProperty("conversation").GetString());
        Assert.False(annContext.TryGetProperty("partition", out _));

        // The model call went through the pipeline as Ann's key: her usage record names it.
        await server.Services.GetRequiredService<UsageWriter>().FlushAsync(Token);
        await using var db = server.Services.GetRequiredService<SwitchboardDatabase>().CreateContext();
        var usage = await db.Usage.Where(u => u.Endpoint.Contains("chat")).OrderBy(u => u.OccurredAt).ToListAsync(Token);
        Assert.Equal(2, usage.Count);
        Assert.Equal(annId, usage[0].KeyId);
        Assert.NotEqual(annId, usage[1].KeyId);
    }

    [Fact]
    public async Task AnotherKeysConversationIsNotFound()
    {
        await using var server = await StartAsync();
        var (annId, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app" }, Token);
        var (_, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app" }, Token);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(ann, new { username = "ann", message = "hello", conversation = "secret" }, Token)).Status);

        var (getStatus, getError) = await server.SendAsAsync(bob, HttpMethod.Get, "/context?conversation=secret", cancellationToken: Token);
        var (deleteStatus, deleteError) = await server.SendAsAsync(bob, HttpMethod.Delete, "/context?conversation=secret", cancellationToken: Token);

        Assert.Equal(HttpStatusCode.NotFound, getStatus);
        Assert.Equal("conversation_not_found", getError.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NotFound, deleteStatus);
        Assert.Equal(getError.ToString(), deleteError.ToString());
        // PUT makes Bob a conversation "secret" of his own: Ann's is neither shown nor changed.
        var (putStatus, put) = await server.SendAsAsync(bob, HttpMethod.Put, "/context?conversation=secret", new { system_prompt = "Bob's rules." }, Token);
        Assert.True(putStatus == HttpStatusCode.OK, put.ToString());
        Assert.Equal(0, put.GetProperty("turns").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsAsync(bob, HttpMethod.Delete, "/context?conversation=secret", cancellationToken: Token)).Status);
        var (_, annContext) = await server.SendAsAsync(ann, HttpMethod.Get, "/context?conversation=secret", cancellationToken: Token);
        Assert.Equal(["ann", "TestBot"], Speakers(annContext));
        Assert.Equal(JsonValueKind.Null, annContext.GetProperty("conversation_system_prompt").ValueKind);

        // Naming Ann's partition is refused alike whether or not anything is there.
        var (foreignStatus, foreign) = await server.SendAsAsync(bob, HttpMethod.Get, $"/context?conversation=secret&partition=key:{annId}", cancellationToken: Token);
        var (noneStatus, none) = await server.SendAsAsync(bob, HttpMethod.Get, "/context?conversation=secret&partition=key:key_nobody", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.Forbidden, foreignStatus);
        Assert.Equal(foreign.ToString(), none.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, noneStatus);
        var (chatStatus, _) = await server.ChatAsAsync(bob, new { username = "bob", message = "hello", conversation = "secret", partition = $"key:{annId}" }, Token);
        Assert.Equal(HttpStatusCode.Forbidden, chatStatus);
        Assert.Equal(2, (await server.SendAsAsync(ann, HttpMethod.Get, "/context?conversation=secret", cancellationToken: Token)).Body.GetProperty("turns").GetArrayLength());
    }

    [Fact]
    public async Task AStreamedMessageGoesToTheKeysOwnDialogue()
    {
        await using var server = await StartAsync();
        var (_, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app" }, Token);
        var (_, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app" }, Token);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token)).Status);

        server.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bob);
        var (status, events, done, _) = await server.StreamAsync(new { username = "bob", message = "hello", stream = true }, Token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(done);
        Assert.Equal("bob alone", events[^1].GetProperty("reply").GetString());
        Assert.Equal("default", events[^1].GetProperty("conversation").GetString());
        Assert.Equal(["bob", "TestBot"], Speakers((await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Body));
    }

    [Fact]
    public async Task KeysOfOneTeamShareTheirConversations()
    {
        await using var server = await StartAsync("  partition: team");
        var (_, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app", team = "support" }, Token);
        var (_, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app", team = "support" }, Token);
        var (_, carol) = await server.CreateKeyAsync(MasterKey, new { name = "carol-app", team = "sales" }, Token);
        var (_, loner) = await server.CreateKeyAsync(MasterKey, new { name = "no-team" }, Token);

        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token)).Status);
        var (_, bobReply) = await server.ChatAsAsync(bob, new { username = "bob", message = "hello" }, Token);

        Assert.Equal("bob saw ann", bobReply.GetProperty("reply").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsAsync(carol, HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsAsync(loner, HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        var (_, list) = await server.SendAsAsync(MasterKey, HttpMethod.Get, "/conversations", cancellationToken: Token);
        var item = Assert.Single(list.GetProperty("conversations").EnumerateArray());
        Assert.Equal("team:support", item.GetProperty("partition").GetString());
        Assert.Equal(4, item.GetProperty("turns").GetInt32());
    }

    [Fact]
    public async Task TheMasterKeyListsEveryPartitionAndAddressesOneByName()
    {
        await using var server = await StartAsync();
        var (annId, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app" }, Token);
        var (bobId, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app" }, Token);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(bob, new { username = "bob", message = "hello" }, Token)).Status);

        var (listStatus, list) = await server.SendAsAsync(MasterKey, HttpMethod.Get, "/conversations", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.OK, listStatus);
        var partitions = list.GetProperty("conversations").EnumerateArray()
            .Select(c => $"{c.GetProperty("partition").GetString()}|{c.GetProperty("conversation").GetString()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[] { $"key:{annId}|default", $"key:{bobId}|default" }.Order(StringComparer.Ordinal), partitions);
        var (_, filtered) = await server.SendAsAsync(MasterKey, HttpMethod.Get, $"/conversations?partition=key:{annId}", cancellationToken: Token);
        Assert.Equal($"key:{annId}", Assert.Single(filtered.GetProperty("conversations").EnumerateArray()).GetProperty("partition").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.SendAsAsync(ann, HttpMethod.Get, "/conversations", cancellationToken: Token)).Status);

        var (readStatus, annContext) = await server.SendAsAsync(MasterKey, HttpMethod.Get, $"/context?conversation=default&partition=key:{annId}", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.OK, readStatus);
        Assert.Equal(["ann", "TestBot"], Speakers(annContext));
        Assert.Equal($"key:{annId}", annContext.GetProperty("partition").GetString());
        // Without a partition the master key works in the shared one, where nobody wrote.
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsAsync(MasterKey, HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.SendAsAsync(MasterKey, HttpMethod.Get, "/context?partition=nobody", cancellationToken: Token)).Status);

        // An admin may also post into a key's dialogue, which then goes on from there.
        var (_, joined) = await server.ChatAsAsync(MasterKey, new { username = "bob", message = "hello", partition = $"key:{annId}" }, Token);
        Assert.Equal("bob saw ann", joined.GetProperty("reply").GetString());
        Assert.Equal("default", joined.GetProperty("conversation").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsAsync(MasterKey, HttpMethod.Delete, $"/context?partition=key:{bobId}", cancellationToken: Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.SendAsAsync(bob, HttpMethod.Get, "/context", cancellationToken: Token)).Status);
        Assert.Equal(4, (await server.SendAsAsync(ann, HttpMethod.Get, "/context", cancellationToken: Token)).Body.GetProperty("turns").GetArrayLength());
    }

    [Fact]
    public async Task WithGlobalPartitionAllKeysShareOneDialogue()
    {
        await using var server = await StartAsync("  partition: global");
        var (_, ann) = await server.CreateKeyAsync(MasterKey, new { name = "ann-app" }, Token);
        var (_, bob) = await server.CreateKeyAsync(MasterKey, new { name = "bob-app" }, Token);

        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsAsync(ann, new { username = "ann", message = "hello" }, Token)).Status);
        var (_, bobReply) = await server.ChatAsAsync(bob, new { username = "bob", message = "hello" }, Token);

        Assert.Equal("bob saw ann", bobReply.GetProperty("reply").GetString());
        Assert.Equal(4, (await server.SendAsAsync(MasterKey, HttpMethod.Get, "/context", cancellationToken: Token)).Body.GetProperty("turns").GetArrayLength());
    }

    [Fact]
    public async Task AnOpenGatewayKeepsEveryConversationInOnePartition()
    {
        await using var server = await ConversationServer.StartAsync(_folder.Path, Configs.Yaml(_folder.WriteFixtures(Fixtures), Configs.Sqlite(_folder)));

        Assert.Equal(HttpStatusCode.OK, (await server.ChatAsync(new { username = "ann", message = "hello" }, Token)).Status);
        var (_, bobReply) = await server.ChatAsync(new { username = "bob", message = "hello" }, Token);
        var (_, list) = await server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token);
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context?partition=global", cancellationToken: Token);

        Assert.Equal("bob saw ann", bobReply.GetProperty("reply").GetString());
        Assert.Equal("global", Assert.Single(list.GetProperty("conversations").EnumerateArray()).GetProperty("partition").GetString());
        Assert.Equal(4, context.GetProperty("turns").GetArrayLength());
        Assert.False(context.TryGetProperty("partition", out _));
    }

    private Task<ConversationServer> StartAsync(string conversations = "") =>
        ConversationServer.StartAsync(
            _folder.Path,
            Configs.Yaml(_folder.WriteFixtures(Fixtures), Configs.Sqlite(_folder), conversations: conversations) + $"\nauth: {{master_key: \"{MasterKey}\"}}\n");

    private static string[] Speakers(JsonElement context) =>
        [.. context.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("username").GetString()!)];
}
