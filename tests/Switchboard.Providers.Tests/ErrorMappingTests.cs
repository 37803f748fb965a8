using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Errors;
using Switchboard.Providers.Upstream;
using static Switchboard.Providers.Tests.TestSupport;

namespace Switchboard.Providers.Tests;

public sealed class ErrorMappingTests
{
    private const string Secret = "internal-stack-trace-at-10.0.0.7";

    private static readonly string ChatBody = """{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}""";

    public static TheoryData<int, string, int, string?, string> StatusCases => new()
    {
        // upstream status, upstream body, expected status, expected code, text the message must contain
        { 400, """{"error":{"message":"max_tokens is too large","type":"invalid_request_error","param":"max_tokens","code":"invalid_value"}}""", 400, "invalid_value", "max_tokens is too large" },
        { 422, """{"object":"error","message":"temperature must be <= 2","type":"BadRequestError","param":null,"code":422}""", 400, null, "temperature must be <= 2" },
        { 400, "<html>" + Secret + "</html>", 400, null, "rejected the request as invalid" },
        { 401, """{"error":{"message":"Incorrect API key provided: sk-up***","type":"invalid_request_error","code":"invalid_api_key"}}""", 502, ProviderErrorCodes.UpstreamAuthenticationFailed, "rejected the gateway's credentials" },
        { 403, "forbidden", 502, ProviderErrorCodes.UpstreamAuthenticationFailed, "not with your API key" },
        { 404, """{"error":{"message":"The model `gpt-x` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""", 502, ProviderErrorCodes.UpstreamModelNotFound, "does not have the model 'gpt-x'" },
        { 404, "Not Found", 502, ErrorCodes.UpstreamError, "check providers[up].base_url" },
        { 500, "{\"error\":{\"message\":\"" + Secret + "\",\"type\":\"server_error\"}}", 502, ErrorCodes.UpstreamError, "failed with HTTP 500" },
        { 502, Secret, 502, ErrorCodes.UpstreamError, "failed with HTTP 502" },
        { 503, Secret, 503, ErrorCodes.UpstreamUnavailable, "temporarily unavailable" },
        { 429, """{"error":{"message":"Rate limit reached for org-secret","type":"requests"}}""", 429, ErrorCodes.RateLimitExceeded, "rate limiting" },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public async Task UpstreamStatusesAreMappedWithoutLeakingTheBody(int status, string body, int expectedStatus, string? expectedCode, string expectedText)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Text(body, status, body.StartsWith('{') ? "application/json" : "text/html"));
        var provider = Provider(upstream.BaseUrl + "/v1");

        var error = (await provider.ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(expectedStatus, error.StatusCode);
        Assert.Equal(expectedCode, error.Code);
        Assert.Contains(expectedText, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("org-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("<html>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(403, true)]
    [InlineData(404, true)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(429, false)]
    public async Task FailuresOfTheGatewaysOwnConfigurationAreMarkedAndKeepTheUpstreamMessageForTheLog(int status, bool misconfigured)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("{\"error\":{\"message\":\"" + Secret + "\"}}", status));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(misconfigured, error.Misconfigured);
        Assert.Equal(Secret, error.UpstreamMessage);
        Assert.DoesNotContain(Secret, error.ToResponse().Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequestKeepsTheUpstreamParam()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"bad","type":"invalid_request_error","param":"messages[0].content","code":null}}""", 400));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(ErrorTypes.InvalidRequest, error.Type);
        Assert.Equal("messages[0].content", error.Param);
    }

    [Theory]
    [InlineData("retry-after", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    public async Task RateLimitPassesRetryAfterOn(string header, string value, int expectedMs)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"slow down"}}""", 429, (header, value)));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), error.RetryAfter);
    }

    [Fact]
    public async Task UnavailablePassesRetryAfterOn()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":"loading"}""", 503, ("Retry-After", "30")));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task ConnectionRefusedIs503NamingTheProvider()
    {
        var provider = Provider($"http://127.0.0.1:{Loopback.ClosedPort()}/v1");

        var error = (await provider.ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(ErrorCodes.UpstreamUnavailable, error.Code);
        Assert.Contains("'up'", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefusedOnAStreamIs503()
    {
        var provider = Provider($"http://127.0.0.1:{Loopback.ClosedPort()}/v1");

        var error = (await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct)).Failed();

        Assert.Equal(503, error.StatusCode);
    }

    [Fact]
    public void DnsFailureIs503()
    {
        var error = UpstreamErrors.FromTransport("up", new HttpRequestException(HttpRequestError.NameResolutionError, "no such host", new SocketException((int)SocketError.HostNotFound)));

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(ErrorCodes.UpstreamUnavailable, error.Code);
        Assert.Contains("host name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenResponseIs502()
    {
        var error = UpstreamErrors.FromTransport("up", new HttpRequestException(HttpRequestError.ResponseEnded, "ended"));

        Assert.Equal(502, error.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TimeoutIs504(bool stream)
    {
        var received = Signal();
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.NeverAnswer(received));
        var time = new FakeTimeProvider();
        var provider = Provider(upstream.BaseUrl + "/v1", TimeSpan.FromSeconds(5), time);

        var error = await TimeOutAsync(
            () => provider.ChatAsync(Chat($$"""{"model":"m","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}"""), Ct),
            received.Task, time, TimeSpan.FromSeconds(5));

        Assert.Equal(504, error.StatusCode);
        Assert.Equal(ErrorCodes.UpstreamTimeout, error.Code);
        Assert.Contains("5 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamTimeoutIsRenewedByEveryChunk()
    {
        var second = Signal();
        var done = Signal();
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}""");
            await second.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteEventAsync("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}""");
            await done.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteEventAsync("[DONE]");
        });
        var time = new FakeTimeProvider();
        var provider = Provider(upstream.BaseUrl + "/v1", TimeSpan.FromSeconds(5), time);

        var result = await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        await using var chunks = result.Chunks().GetAsyncEnumerator(Ct);
        Assert.True(await chunks.MoveNextAsync());
        time.Advance(TimeSpan.FromSeconds(3));
        second.SetResult();
        Assert.True(await chunks.MoveNextAsync());
        // 6 s since the stream started, but only 3 s since the last chunk: still within the timeout.
        time.Advance(TimeSpan.FromSeconds(3));
        done.SetResult();

        Assert.False(await chunks.MoveNextAsync());
    }

    [Fact]
    public async Task StreamThatGoesQuietLongerThanTheTimeoutIsA504()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}""");
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var time = new FakeTimeProvider();
        var provider = Provider(upstream.BaseUrl + "/v1", TimeSpan.FromSeconds(5), time);

        var result = await provider.ChatAsync(Chat("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"""), Ct);
        await using var chunks = result.Chunks().GetAsyncEnumerator(Ct);
        Assert.True(await chunks.MoveNextAsync());
        var next = chunks.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(6));

        var error = await Assert.ThrowsAsync<ChatStreamException>(() => next);
        Assert.Equal(504, error.Error.StatusCode);
        Assert.Equal(ErrorCodes.UpstreamTimeout, error.Error.Code);
    }

    [Fact]
    public async Task InvalidJsonIs502()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Text("{\"id\": oops", 200, "application/json"));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(502, error.StatusCode);
        Assert.Equal(ProviderErrorCodes.UpstreamInvalidResponse, error.Code);
    }

    [Fact]
    public async Task SuccessStatusWithAnErrorBodyIs502()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"error":{"message":"model crashed"}}"""));

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(502, error.StatusCode);
        Assert.DoesNotContain("crashed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectIs502PointingAtBaseUrl()
    {
        await using var upstream = await FakeUpstream.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = "https://elsewhere.invalid/v1/chat/completions";
            return Task.CompletedTask;
        });

        var error = (await Provider(upstream.BaseUrl + "/v1").ChatAsync(Chat(ChatBody), Ct)).Failed();

        Assert.Equal(502, error.StatusCode);
        Assert.Contains("base_url", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"error":{"message":"m1","param":"p","code":"c"}}""", "m1", "p", "c")]
    [InlineData("""{"error":"model 'x' not found"}""", "model 'x' not found", null, null)]
    [InlineData("""{"detail":"Not authenticated"}""", "Not authenticated", null, null)]
    [InlineData("""{"error":{"message":"m","code":429}}""", "m", null, "429")]
    [InlineData("not json", null, null, null)]
    [InlineData("[1,2]", null, null, null)]
    public void ErrorDetailsAreReadFromKnownShapesOnly(string body, string? message, string? param, string? code)
    {
        var detail = UpstreamErrorDetail.Parse(System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal(message, detail.Message);
        Assert.Equal(param, detail.Param);
        Assert.Equal(code, detail.Code);
    }

    private static OpenAICompatible.OpenAICompatibleProvider Provider(string baseUrl, TimeSpan? timeout = null, TimeProvider? time = null) =>
        new(new ProviderOptions { Name = "up", Type = ProviderTypes.OpenAI, BaseUrl = baseUrl, ApiKey = "k", Timeout = timeout }, ProviderHttpClients.CreateClient(), time);
}
