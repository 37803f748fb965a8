using System.Net;
using System.Text.Json;
using Switchboard.Conversations.Tests.Infrastructure;
using Switchboard.Gateway;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Conversations.Tests;

/// <summary>Every way a request can be wrong: a 4xx naming the field, and nothing stored.</summary>
public sealed class ErrorTests : IAsyncLifetime
{
    private const string Fixtures = """
        - match: { last_user: "ann: hello" }
          response: Hello Ann.
        - match: { last_user: "ann: break" }
          response: { error: { status: 503, message: The model is overloaded. } }
        - match: { last_user: "ann: break the stream" }
          response: { content: "this is a long answer that breaks off in the middle of a sentence that goes on and on and on for many more words than that", stream: { chunk_size: 1 }, fault: { drop_after_chunks: 25 } }
        """;

    private readonly TestFolder _folder = new();
    private ConversationServer? _server;

    private ConversationServer Server => _server!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _server = await ConversationServer.StartAsync(
            _folder.Path,
            Configs.Yaml(_folder.WriteFixtures(Fixtures), Configs.Sqlite(_folder), contextWindow: 200, conversations: "  max_message_chars: 600\n  max_tokens: 100"));

    public async ValueTask DisposeAsync()
    {
        await _server!.DisposeAsync();
        _folder.Dispose();
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { """{"message":"hello"}""", "username", "missing_required_parameter" },
        { """{"username":"  ","message":"hello"}""", "username", "invalid_value" },
        { """{"username":"ann: admin","message":"hello"}""", "username", "invalid_value" },
        { """{"username":"ann"}""", "message", "missing_required_parameter" },
        { """{"username":"ann","message":""}""", "message", "invalid_value" },
        { """{"username":"ann","message":" \n\t "}""", "message", "invalid_value" },
        { $$"""{"username":"ann","message":"{{new string('x', 601)}}"}""", "message", "string_above_max_length" },
        { """{"username":"ann","message":5}""", "message", "invalid_type" },
        { """{"username":["ann"],"message":"hello"}""", "username", "invalid_type" },
        { """{"username":"ann","message":"hello","emotes":"Kappa"}""", "emotes", "invalid_type" },
        { """{"username":"ann","message":"hello","emotes":["Kappa","two words"]}""", "emotes[1]", "invalid_value" },
        { """{"username":"ann","message":"hello","stream":"yes"}""", "stream", "invalid_type" },
        { """{"username":"ann","message":"hello","max_tokens":0}""", "max_tokens", "invalid_value" },
        { """{"username":"ann","message":"hello","conversation":"has space"}""", "conversation", "invalid_value" },
        { """{"username":"ann","message":"hello","conversation":""}""", "conversation", "invalid_value" },
        { """{"username":"ann","message":"hello","model":""}""", "model", "invalid_value" },
        { """{"username":"ann","message":"hello","conversaton":"typo"}""", "conversaton", "unknown_parameter" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task ABadBodyIsRefusedNamingTheFieldAndNothingIsStored(string json, string param, string code)
    {
        var body = JsonDocument.Parse(json).RootElement;
        var conversation = body.TryGetProperty("conversation", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() is { Length: > 0 } name && !name.Contains(' ', StringComparison.Ordinal) ? name : "default";

        var (status, error) = await Server.ChatRawAsync(json, Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(error, param, code);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, $"/context?conversation={conversation}", cancellationToken: Token)).Status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    public async Task ABodyThatIsNotAJsonObjectIsRefused(string json)
    {
        var (status, error) = await Server.ChatRawAsync(json, Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AnUnknownModelIsA404NamingTheModel()
    {
        var (status, error) = await Server.ChatAsync(new { username = "ann", message = "hello", model = "no-such-model" }, Token);

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(error, "model", "model_not_found");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
    }

    [Fact]
    public async Task AMessageThatCannotFitTheWindowIsRefused()
    {
        // Window 200 - max_tokens 100: 100 tokens for the system prompt and the message.
        var (status, error) = await Server.ChatAsync(new { username = "ann", message = string.Join(' ', Enumerable.Repeat("pizza", 99)) }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(error, "message", "context_length_exceeded");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, "/context", cancellationToken: Token)).Status);
    }

    [Fact]
    public async Task AMaxTokensThatLeavesNoRoomIsRefused()
    {
        var (status, error) = await Server.ChatAsync(new { username = "ann", message = "hello", max_tokens = 200 }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(error, "max_tokens", "invalid_value");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task AnUnknownConversationIsA404(string method)
    {
        var (status, error) = await Server.SendAsync(new HttpMethod(method), "/context?conversation=nobody-here", cancellationToken: Token);

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(error, "conversation", "conversation_not_found");
    }

    [Theory]
    [InlineData("/context?conversation=has%20space", "conversation")]
    [InlineData("/context?conversation=a&conversation=b", "conversation")]
    [InlineData("/conversations?limit=0", "limit")]
    [InlineData("/conversations?limit=abc", "limit")]
    [InlineData("/conversations?offset=-1", "offset")]
    public async Task ABadQueryIsRefusedNamingTheParameter(string path, string param)
    {
        var (status, error) = await Server.SendAsync(HttpMethod.Get, path, cancellationToken: Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task ABadSystemPromptBodyIsRefused()
    {
        var (status, error) = await Server.SendAsync(HttpMethod.Put, "/context?conversation=room", new { system_prompt = 5 }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertError(error, "system_prompt", "invalid_type");
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, "/context?conversation=room", cancellationToken: Token)).Status);
    }

    [Fact]
    public async Task AnUpstreamFailureLeavesTheHistoryAsItWas()
    {
        await Server.ChatAsync(new { username = "ann", message = "hello", conversation = "fragile" }, Token);

        var (status, error) = await Server.ChatAsync(new { username = "ann", message = "break", conversation = "fragile" }, Token);
        var (streamStatus, events, _, _) = await Server.StreamAsync(new { username = "ann", message = "break the stream", conversation = "fragile", stream = true }, Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("The model is overloaded.", error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, streamStatus);
        Assert.True(events[^1].TryGetProperty("error", out _), "a stream that breaks ends with an error event");
        var (_, context) = await Server.SendAsync(HttpMethod.Get, "/context?conversation=fragile", cancellationToken: Token);
        Assert.Equal(["hello", "Hello Ann."], context.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task AFirstMessageThatFailsUpstreamCreatesNoConversation()
    {
        var (status, _) = await Server.ChatAsync(new { username = "ann", message = "break", conversation = "never" }, Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, "/context?conversation=never", cancellationToken: Token)).Status);
    }

    [Fact]
    public async Task DeleteClearsTheConversation()
    {
        await Server.ChatAsync(new { username = "ann", message = "hello", conversation = "gone" }, Token);

        var (status, body) = await Server.SendAsync(HttpMethod.Delete, "/context?conversation=gone", cancellationToken: Token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await Server.SendAsync(HttpMethod.Get, "/context?conversation=gone", cancellationToken: Token)).Status);
        var (_, list) = await Server.SendAsync(HttpMethod.Get, "/conversations", cancellationToken: Token);
        Assert.DoesNotContain("gone", list.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("conversation").GetString()));
    }

    [Fact]
    public async Task ListsConversationsMostRecentFirst()
    {
        await Server.ChatAsync(new { username = "ann", message = "hello", conversation = "older" }, Token);
        await Server.ChatAsync(new { username = "ann", message = "hello", conversation = "newer" }, Token);

        var (status, list) = await Server.SendAsync(HttpMethod.Get, "/conversations?limit=2", cancellationToken: Token);

        Assert.Equal(HttpStatusCode.OK, status);
        var items = list.GetProperty("conversations").EnumerateArray().ToList();
        Assert.Equal(["newer", "older"], items.Select(c => c.GetProperty("conversation").GetString()));
        Assert.Equal(2, items[0].GetProperty("turns").GetInt32());
    }

    [Theory]
    [InlineData("  max_tokens: 0", "conversations.max_tokens")]
    [InlineData("  sytem_prompt: hi", "conversations.sytem_prompt")]
    [InlineData("  model: no-such-model", "conversations.model")]
    [InlineData("  summary: {keep_ratio: 2}", "conversations.summary.keep_ratio")]
    [InlineData("  idle_timeout: forever", "conversations.idle_timeout")]
    [InlineData("  partition: everyone", "conversations.partition")]
    public void ABadConversationsSectionStopsStartUpNamingTheKey(string lines, string key)
    {
        var path = Path.Combine(_folder.Path, $"bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Configs.Yaml(_folder.WriteFixtures(Fixtures), Configs.Sqlite(_folder), conversations: lines));

        var error = Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = Cli.Commands.BuiltInProviders.Register,
            Features = Cli.Commands.BuiltInProviders.Features,
        }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static void AssertError(JsonElement body, string param, string code)
    {
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }
}
