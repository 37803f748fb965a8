using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Testing;
using Switchboard.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>--record-to/--upstream against a second local mock standing in for the real model.</summary>
public sealed class RecordModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MissesAreProxiedRecordedWithoutSecretsAndThenServedLocally()
    {
        // The upstream only answers when the client's key was forwarded.
        await using var upstream = await MockLlmServer.StartAsync(b => b.AddYaml("""
            - name: upstream answer
              match:
                last_user: record me
                headers: { authorization: Bearer sk-test-secret }
              response: recorded answer
            - name: upstream tool
              match: { last_user: call a tool }
              response:
                tool_calls: [{ name: lookup, arguments: { id: 7 } }]
            """), Ct);
        var folder = TestData.TempFolder();
        await using var recorder = await MockLlmServer.StartAsync(b => b.Configure(o => o with { RecordTo = folder, Upstream = upstream.OpenAIEndpoint.ToString() }), Ct);
        var client = TestData.Chat(recorder.OpenAIEndpoint);

        ChatCompletion first = await client.CompleteChatAsync([new UserChatMessage("record me")], cancellationToken: Ct);
        Assert.Equal("recorded answer", first.Content[0].Text);
        Assert.Equal("recorded", recorder.Journal.Entries[^1].Outcome);

        var file = Assert.Single(Directory.GetFiles(folder, "*.yaml"));
        var yaml = await File.ReadAllTextAsync(file, Ct);
        Assert.DoesNotContain("sk-test-secret", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("authorization", yaml, StringComparison.OrdinalIgnoreCase);
        var recorded = Assert.Single(FixtureLoader.LoadFile(file));
        Assert.Equal("recorded answer", recorded.Responses[0].Content);

        // The same request again is answered from the recording, streamed this time.
        var text = new StringBuilder();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("record me")], new ChatCompletionOptions(), Ct))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal("recorded answer", text.ToString());
        Assert.Equal("matched", recorder.Journal.Entries[^1].Outcome);
        Assert.Single(upstream.Journal.Entries);

        // Tool calls are recorded too.
        ChatCompletion tool = await client.CompleteChatAsync([new UserChatMessage("call a tool")], cancellationToken: Ct);
        Assert.Equal("lookup", Assert.Single(tool.ToolCalls).FunctionName);
        Assert.Equal(2, Directory.GetFiles(folder, "*.yaml").Length);
    }

    [Fact]
    public async Task TheConfiguredUpstreamKeyWinsOverTheClientsAuthorization()
    {
        // Every SDK sends some key (the README's snippets send "anything"); the upstream only takes the configured one.
        await using var upstream = await MockLlmServer.StartAsync(b => b.AddYaml("""
            - name: upstream answer
              match:
                last_user: record me
                headers: { authorization: Bearer sk-configured-upstream-key }
              response: recorded with the configured key
            """), Ct);
        var folder = TestData.TempFolder();
        await using var recorder = await MockLlmServer.StartAsync(
            b => b.Configure(o => o with { RecordTo = folder, Upstream = upstream.OpenAIEndpoint.ToString(), UpstreamApiKey = "sk-configured-upstream-key" }),
            Ct);

        ChatCompletion answer = await TestData.Chat(recorder.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("record me")], cancellationToken: Ct);

        Assert.Equal("recorded with the configured key", answer.Content[0].Text);
        var yaml = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(folder, "*.yaml")), Ct);
        Assert.DoesNotContain("sk-configured-upstream-key", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUpstreamErrorIsPassedOnAndNotRecorded()
    {
        await using var upstream = await MockLlmServer.StartAsync(b => b.AddFixture("limit", f => f.RespondWithError(429, "upstream says slow down")), Ct);
        var folder = TestData.TempFolder();
        await using var recorder = await MockLlmServer.StartAsync(b => b.Configure(o => o with { RecordTo = folder, Upstream = upstream.OpenAIEndpoint.ToString() }), Ct);

        var error = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => TestData.Chat(recorder.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("x")], cancellationToken: Ct));

        Assert.Equal(429, error.Status);
        Assert.Contains("upstream says slow down", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task AnUpstreamTimeoutIsA504AndABrokenConnectionA502NotA500()
    {
        // One upstream takes the request and never answers; another drops the connection.
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var silent = await FakeUpstream.StartAsync(FakeUpstream.NeverAnswer(received));
        await using var dropping = await MockLlmServer.StartAsync(b => b.AddYaml("""
            - match: { last_user: hang up }
              response: { content: never, fault: { drop_connection: true } }
            """), Ct);
        var folder = TestData.TempFolder();
        // The recorder's time limit runs on its own clock, which only this test moves.
        var clock = new FakeTimeProvider();
        await using var waiting = await MockLlmServer.StartAsync(
            b => b.UseTimeProvider(clock).Configure(o => o with { RecordTo = folder, Upstream = silent.BaseUrl + "/v1", UpstreamTimeout = TimeSpan.FromSeconds(30) }),
            Ct);
        await using var broken = await MockLlmServer.StartAsync(
            b => b.Configure(o => o with { RecordTo = folder, Upstream = dropping.OpenAIEndpoint.ToString() }),
            Ct);

        var hanging = Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => TestData.Chat(waiting.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("hang")], cancellationToken: Ct));
        await received.Task.WaitAsync(Ct);
        clock.Advance(TimeSpan.FromSeconds(30));
        var timeout = await hanging;
        Assert.Equal(504, timeout.Status);
        Assert.Contains("upstream_timeout", timeout.Message, StringComparison.Ordinal);

        var dropped = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => TestData.Chat(broken.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("hang up")], cancellationToken: Ct));
        Assert.Equal(502, dropped.Status);
        Assert.Contains("upstream_unavailable", dropped.Message, StringComparison.Ordinal);

        Assert.Equal(["miss"], waiting.Journal.Entries.Select(e => e.Outcome));
        Assert.Equal(["miss"], broken.Journal.Entries.Select(e => e.Outcome));
        Assert.Empty(Directory.GetFiles(folder));
    }
}
