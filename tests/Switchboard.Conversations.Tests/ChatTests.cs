using System.Net;
using System.Text.Json;
using Switchboard.Conversations.Tests.Infrastructure;

namespace Switchboard.Conversations.Tests;

/// <summary>
/// <c>POST /chat</c> and <c>GET /context</c> through the real server with the built-in mock provider. Each fixture
/// matches only the exact prompt the model should get, so a wrong history, window, system prompt or attribution is
/// a miss (404 from the mock) and the test fails.
/// </summary>
public sealed class ChatTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task<ConversationServer> StartAsync(string fixtures, int contextWindow = 4096, string conversations = "") =>
        ConversationServer.StartAsync(_folder.Path, Configs.Yaml(_folder.WriteFixtures(fixtures), Configs.Sqlite(_folder), contextWindow, conversations));

    [Fact]
    public async Task RemembersTheDialogueAndAttributesEachMessageToItsUser()
    {
        await using var server = await StartAsync("""
            - name: first
              match:
                conversation:
                  - system: You are TestBot.
                  - user: "ann: hi, I am Ann"
              response: Hello Ann!
            - name: second
              match:
                conversation:
                  - system: You are TestBot.
                  - user: "ann: hi, I am Ann"
                  - assistant: Hello Ann!
                  - user: "bob: who is here?"
              response: Ann and Bob.
            """);

        var (status, first) = await server.ChatAsync(new { username = "ann", message = "hi, I am Ann" }, Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Hello Ann!", first.GetProperty("reply").GetString());
        Assert.Equal("default", first.GetProperty("conversation").GetString());
        Assert.Equal("bot-model", first.GetProperty("model").GetString());
        Assert.True(first.GetProperty("tokens_used").GetInt32() > 0);
        Assert.True(first.GetProperty("response_time_ms").GetDouble() >= 0);

        var (_, second) = await server.ChatAsync(new { username = "bob", message = "who is here?" }, Token);
        Assert.Equal("Ann and Bob.", second.GetProperty("reply").GetString());

        var (contextStatus, context) = await server.SendAsync(HttpMethod.Get, "/context?conversation=default", cancellationToken: Token);
        Assert.Equal(HttpStatusCode.OK, contextStatus);
        Assert.Equal("You are TestBot.", context.GetProperty("system_prompt").GetString());
        var turns = context.GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal(["ann", "TestBot", "bob", "TestBot"], turns.Select(t => t.GetProperty("username").GetString()));
        Assert.Equal(["user", "assistant", "user", "assistant"], turns.Select(t => t.GetProperty("role").GetString()));
        Assert.Equal(["hi, I am Ann", "Hello Ann!", "who is here?", "Ann and Bob."], turns.Select(t => t.GetProperty("message").GetString()));
        Assert.Equal(4, context.GetProperty("turns_in_window").GetInt32());
        Assert.True(context.GetProperty("tokens").GetInt32() <= context.GetProperty("budget").GetInt32());
    }

    [Fact]
    public async Task KeepsConversationsApart()
    {
        await using var server = await StartAsync("""
            - match:
                conversation:
                  - system: You are TestBot.
                  - user: "ann: my order is late"
              response: Sorry to hear that.
            """);

        var (_, a) = await server.ChatAsync(new { username = "ann", message = "my order is late", conversation = "support-ann" }, Token);
        var (_, b) = await server.ChatAsync(new { username = "ann", message = "my order is late", conversation = "support-ann-2" }, Token);

        Assert.Equal("Sorry to hear that.", a.GetProperty("reply").GetString());
        Assert.Equal("Sorry to hear that.", b.GetProperty("reply").GetString());
        Assert.Equal("support-ann-2", b.GetProperty("conversation").GetString());
    }

    [Fact]
    public async Task ServiceConversationAndRequestSystemPromptsFollowEachOther()
    {
        await using var server = await StartAsync("""
            - match:
                conversation:
                  - system: "You are TestBot.\n\nChannel rules: be nice.\n\nAnswer in French."
                  - user: "ann: hello"
              response: Bonjour !
            - match:
                conversation:
                  - system: "You are TestBot.\n\nChannel rules: be nice."
                  - user: "ann: hello"
                  - assistant: Bonjour !
                  - user: "ann: again"
              response: Hello again.
            """);

        var (putStatus, put) = await server.SendAsync(HttpMethod.Put, "/context?conversation=room", new { system_prompt = "Channel rules: be nice." }, Token);
        Assert.Equal(HttpStatusCode.OK, putStatus);
        Assert.Equal("You are TestBot.\n\nChannel rules: be nice.", put.GetProperty("system_prompt").GetString());

        var (_, first) = await server.ChatAsync(new { username = "ann", message = "hello", conversation = "room", system_prompt = "Answer in French." }, Token);
        Assert.Equal("Bonjour !", first.GetProperty("reply").GetString());

        // The request's prompt was for that message only.
        var (_, second) = await server.ChatAsync(new { username = "ann", message = "again", conversation = "room" }, Token);
        Assert.Equal("Hello again.", second.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task ALongMultiUserDialogueStaysWithinTheBudgetAndKeepsTheSystemPrompt()
    {
        // Window 300 - max_tokens 60 = a budget of 240 prompt tokens: about ten exchanges of the thirty fit.
        await using var server = await StartAsync(
            """
            - name: every turn sees the system prompt first and ends with an attributed message
              match:
                json:
                  "$.messages[0].role": system
                  "$.messages[0].content": You are TestBot.
                  "$.messages[-1].content": { regex: '^(ann|bob|cid): turn \d+ ' }
                  "$.max_tokens": 60
              response: noted
            - name: the last turn sees the newest turns, oldest dropped
              priority: 1
              match:
                last_user: "cid: final question"
                json:
                  "$.messages[0].content": You are TestBot.
                  "$.messages[1].role": user
                  "$.messages[1].content": { regex: '^(ann|bob|cid): turn (1[5-9]|2[0-9]) ' }
                  "$.messages[-2].content": noted
                  "$.messages[-3].content": "cid: turn 29 is about pizza and the weather in town"
              response: final answer
            """,
            contextWindow: 300,
            conversations: "  max_tokens: 60");
        string[] users = ["ann", "bob", "cid"];

        for (var i = 0; i < 30; i++)
        {
            var (status, body) = await server.ChatAsync(new { username = users[i % 3], message = $"turn {i} is about pizza and the weather in town" }, Token);
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.Equal("noted", body.GetProperty("reply").GetString());
            // The mock counts the prompt it got with the same tokenizer: the window must have fit.
            Assert.InRange(body.GetProperty("prompt_tokens").GetInt32(), 1, 240);
        }

        var (lastStatus, last) = await server.ChatAsync(new { username = "cid", message = "final question" }, Token);
        Assert.True(lastStatus == HttpStatusCode.OK, last.ToString());
        Assert.Equal("final answer", last.GetProperty("reply").GetString());
        Assert.InRange(last.GetProperty("prompt_tokens").GetInt32(), 200, 240);

        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal(62, context.GetProperty("turns").GetArrayLength());
        Assert.Equal(240, context.GetProperty("budget").GetInt32());
        Assert.InRange(context.GetProperty("tokens").GetInt32(), 1, 240);
        Assert.InRange(context.GetProperty("turns_in_window").GetInt32(), 2, 30);
    }

    [Fact]
    public async Task ReturnsTheRecentTopics()
    {
        await using var server = await StartAsync("""
            - match: { last_user: { regex: '^ann: ' } }
              response: Pineapple on pizza is a classic debate.
            - match: { last_user: { regex: '^bob: ' } }
              response: Pizza ovens get very hot.
            """);

        await server.ChatAsync(new { username = "ann", message = "Who likes pizza with pineapple?" }, Token);
        var (_, reply) = await server.ChatAsync(new { username = "bob", message = "I bake pizza in my oven" }, Token);

        var topics = reply.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal("pizza", topics[0]);
        Assert.Contains("pineapple", topics);
        Assert.DoesNotContain("bob", topics);
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal(topics, context.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task EmotesAreShownToTheModelAsTokensAndRestoredInTheReplyAndHistory()
    {
        await using var server = await StartAsync("""
            - match: { last_user: "ann: gg :Kappa: well played" }
              response: ":Kappa: indeed, gg"
            """);

        var (_, reply) = await server.ChatAsync(new { username = "ann", message = "gg Kappa well played", emotes = new[] { "Kappa" } }, Token);
        var (_, streamed, _, _) = await server.StreamAsync(new { username = "ann", message = "gg Kappa well played", emotes = new[] { "Kappa" }, conversation = "s", stream = true }, Token);

        Assert.Equal("Kappa indeed, gg", reply.GetProperty("reply").GetString());
        Assert.Equal("Kappa indeed, gg", string.Concat(streamed.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("delta").GetString())));
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        var user = context.GetProperty("turns")[0];
        Assert.Equal("gg Kappa well played", user.GetProperty("message").GetString());
        Assert.Equal(["Kappa"], user.GetProperty("emotes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task StreamsTheReplyAsEventsAndStoresIt()
    {
        await using var server = await StartAsync("""
            - match: { last_user: "ann: tell me a story" }
              response:
                content: Once upon a time there was a gateway.
                stream: { chunk_size: 2 }
            """);

        var (status, events, done, contentType) = await server.StreamAsync(new { username = "ann", message = "tell me a story", stream = true }, Token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/event-stream", contentType);
        Assert.True(done);
        var deltas = events.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("delta").GetString()).ToList();
        Assert.True(deltas.Count > 2, "the reply should arrive in pieces");
        Assert.Equal("Once upon a time there was a gateway.", string.Concat(deltas));
        var last = events[^1];
        Assert.Equal("done", last.GetProperty("type").GetString());
        Assert.Equal("Once upon a time there was a gateway.", last.GetProperty("reply").GetString());
        Assert.Equal("bot-model", last.GetProperty("model").GetString());
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal("Once upon a time there was a gateway.", context.GetProperty("turns")[1].GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CleansSplitThinkBlocksEchoedNamesAndInventedTurnsBeforeStoring(bool stream)
    {
        await using var server = await StartAsync("""
            - match: { last_user: "bob: hi" }
              response: hi bob
            - match: { last_user: "ann: think first" }
              response:
                content: "<think>The user wants a greeting.\nKeep it short.</think>\n\nTestBot: Hello there!\nbob: me too<|im_end|>"
                stream: { chunk_size: 1 }
            """);

        await server.ChatAsync(new { username = "bob", message = "hi" }, Token);
        string? reply;
        if (stream)
        {
            var (_, events, _, _) = await server.StreamAsync(new { username = "ann", message = "think first", stream = true }, Token);
            Assert.Equal("Hello there!", string.Concat(events.Where(e => e.GetProperty("type").GetString() == "delta").Select(e => e.GetProperty("delta").GetString())));
            reply = events[^1].GetProperty("reply").GetString();
        }
        else
        {
            var (_, body) = await server.ChatAsync(new { username = "ann", message = "think first" }, Token);
            reply = body.GetProperty("reply").GetString();
        }

        Assert.Equal("Hello there!", reply);
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal("Hello there!", context.GetProperty("turns")[3].GetProperty("message").GetString());
    }

    [Fact]
    public async Task SummarizesDroppedTurnsThroughTheGatewayAndShowsTheSummaryAfterTheSystemPrompt()
    {
        await using var server = await StartAsync(
            """
            - name: summary
              match:
                json:
                  "$.messages[0].content": { contains: "Summarize the conversation below" }
                  "$.messages[1].content": { regex: '^Conversation:\s+ann: turn 0 ' }
              response: Ann and Bob talked about pizza toppings.
            - name: after the summary
              priority: 1
              match:
                json:
                  "$.messages[0].content": You are TestBot.
                  "$.messages[1].role": system
                  "$.messages[1].content": "Summary of the earlier conversation: Ann and Bob talked about pizza toppings."
              response: with summary
            - name: before any summary
              match:
                json:
                  "$.messages[0].content": You are TestBot.
                  "$.messages[1].role": user
              response: ok
            """,
            contextWindow: 200,
            conversations: "  max_tokens: 50\n  summary: {enabled: true}");

        JsonElement last = default;
        var sawSummary = false;
        for (var i = 0; i < 20 && !sawSummary; i++)
        {
            var (status, body) = await server.ChatAsync(new { username = i % 2 == 0 ? "ann" : "bob", message = $"turn {i} pizza toppings are important to me" }, Token);
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            Assert.InRange(body.GetProperty("prompt_tokens").GetInt32(), 1, 150);
            last = body;
            sawSummary = body.GetProperty("reply").GetString() == "with summary";
        }

        Assert.True(sawSummary, "the window overflowed without a summary: " + last);
        var (_, context) = await server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token);
        Assert.Equal("Ann and Bob talked about pizza toppings.", context.GetProperty("summary").GetString());

        // The summary is kept: the next message does not make another one (the summary fixture would not match again anyway).
        var (_, next) = await server.ChatAsync(new { username = "ann", message = "and one more turn" }, Token);
        Assert.Equal("with summary", next.GetProperty("reply").GetString());
    }
}
