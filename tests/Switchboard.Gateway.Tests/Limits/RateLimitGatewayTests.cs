using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using OpenAI.Chat;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Tests.Infrastructure;
using Switchboard.Limits;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Tests.Limits;

/// <summary>Rate limits and budgets through the real gateway, asked with the official OpenAI SDK, on a fake clock.</summary>
public sealed class RateLimitGatewayTests : IAsyncLifetime
{
    private const string Prompt = "Say hello to the channel.";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 14, 12, 0, 0, TimeSpan.Zero));
    private readonly CallerAndCompletionStage _caller = new();
    private FakeUpstream _upstream = null!;
    private TestGateway? _gateway;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Prompt and completion tokens the fake upstream reports for every answer.</summary>
    private (int Prompt, int Completion) Usage { get; set; } = (19, 10);

    /// <summary>False for an upstream whose whole answers carry no usage at all.</summary>
    private bool ReportsUsage { get; set; } = true;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync((context, body) => Answer(context, body));
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _upstream.DisposeAsync();
    }

    private async Task<TestGateway> StartAsync(string models, string limits = "", bool keys = false) =>
        _gateway = await TestGateway.StartAsync(
            $$"""
            providers:
              - {name: upstream, type: openai, base_url: "{{_upstream.BaseUrl}}/v1"}
              - {name: second, type: openai, base_url: "{{_upstream.BaseUrl}}/v1"}
            models:
            {{models}}
            {{limits}}
            """,
            keys ? KeyedGateway.Environment() : null,
            timeProvider: _time,
            configureServices: _caller.Register);

    private static ChatClient Chat(TestGateway gateway, string model, string key = "sk-anything") => new OpenAIClient(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient(model);

    private static ChatCompletionOptions Options(int? maxTokens = null, string? user = null)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = maxTokens };
#pragma warning disable OPENAI001 // EndUserId is the OpenAI `user` field.
        options.EndUserId = user;
#pragma warning restore OPENAI001
        return options;
    }

    private static long PromptTokens => TiktokenTokenCounter.Instance.CountPromptTokens([Switchboard.OpenAI.ChatMessage.User(Prompt)]);

    private static string Header(PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value! : throw new Xunit.Sdk.XunitException($"no {name} header");

    private async Task<PipelineResponse> CompleteAsync(ChatClient chat, ChatCompletionOptions? options = null)
    {
        var completed = _caller.NextCompletion();
        var result = await chat.CompleteChatAsync([new UserChatMessage(Prompt)], options, Ct);
        await completed;
        return result.GetRawResponse();
    }

    private static async Task<(PipelineResponse Response, JsonElement Error)> RefusedAsync(ChatClient chat, ChatCompletionOptions? options = null)
    {
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(Prompt)], options, Ct));
        var response = refused.GetRawResponse()!;
        using var body = JsonDocument.Parse(response.Content.ToString());
        return (response, body.RootElement.GetProperty("error").Clone());
    }

    private Task Answer(Microsoft.AspNetCore.Http.HttpContext context, JsonDocument? body)
    {
        var model = body?.RootElement.GetProperty("model").GetString() ?? "m";
        if (body?.RootElement.TryGetProperty("stream", out var stream) == true && stream.GetBoolean())
        {
            return StreamAsync(context, model, body.RootElement.TryGetProperty("stream_options", out _));
        }

        var json = OpenAIUpstreamResponses.Completion(model, "Hello!")
            .Replace("\"prompt_tokens\": 19, \"completion_tokens\": 10, \"total_tokens\": 29", $"\"prompt_tokens\": {Usage.Prompt}, \"completion_tokens\": {Usage.Completion}, \"total_tokens\": {Usage.Prompt + Usage.Completion}", StringComparison.Ordinal);
        if (!ReportsUsage)
        {
            json = System.Text.RegularExpressions.Regex.Replace(json, "\"usage\": \\{.*?\\}\\s*\\},", string.Empty, System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.DoesNotContain("usage", json, StringComparison.Ordinal);
        }

        return OpenAIUpstreamResponses.WriteJsonAsync(context.Response, json);
    }

    private async Task StreamAsync(Microsoft.AspNetCore.Http.HttpContext context, string model, bool includeUsage)
    {
        context.Response.ContentType = "text/event-stream";
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(model, "Hel", role: true));
        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, OpenAIUpstreamResponses.Chunk(model, "lo", "stop"));
        if (includeUsage)
        {
            await OpenAIUpstreamResponses.WriteEventAsync(context.Response,
                $"{{\"id\":\"chatcmpl-upstream3\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"{model}\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{Usage.Prompt},\"completion_tokens\":{Usage.Completion},\"total_tokens\":{Usage.Prompt + Usage.Completion}}}}}");
        }

        await OpenAIUpstreamResponses.WriteEventAsync(context.Response, "[DONE]");
    }

    [Fact]
    public async Task Returns429WhenRpmExceeded()
    {
        var gateway = await StartAsync("""
              - name: gpt-4o
                rpm: 2
                deployments: [{provider: upstream}]
            """);
        var chat = Chat(gateway, "gpt-4o");
        await CompleteAsync(chat);
        await CompleteAsync(chat);

        var (response, error) = await RefusedAsync(chat);

        Assert.Equal(429, response.Status);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("Rate limit reached for model 'gpt-4o' on requests per minute (RPM): limit 2. Please try again in 30s.", error.GetProperty("message").GetString());
        Assert.Equal("30", Header(response, "retry-after"));
        Assert.Equal("2", Header(response, "x-ratelimit-limit-requests"));
        Assert.Equal("0", Header(response, "x-ratelimit-remaining-requests"));
        Assert.Equal("1m0s", Header(response, "x-ratelimit-reset-requests"));
        Assert.Equal(2, _upstream.Requests.Count);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("0", Header(await CompleteAsync(chat), "x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task EveryAnswerCarriesTheRateLimitHeadersAndTokensAreCorrectedWithTheRealUsage()
    {
        var gateway = await StartAsync("""
              - name: gpt-4o
                rpm: 3
                tpm: 1000
                deployments: [{provider: upstream}]
            """);
        var chat = Chat(gateway, "gpt-4o");

        var first = await CompleteAsync(chat, Options(maxTokens: 100));
        Assert.Equal("3", Header(first, "x-ratelimit-limit-requests"));
        Assert.Equal("2", Header(first, "x-ratelimit-remaining-requests"));
        Assert.Equal("20s", Header(first, "x-ratelimit-reset-requests"));
        Assert.Equal("1000", Header(first, "x-ratelimit-limit-tokens"));
        // At admission: the prompt counted plus max_tokens.
        var estimate = PromptTokens + 100;
        Assert.Equal((1000 - estimate).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(first, "x-ratelimit-remaining-tokens"));
        Assert.Equal(RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(Math.Ceiling(estimate * 60_000.0 / 1000))), Header(first, "x-ratelimit-reset-tokens"));

        // The upstream said 19 + 10 = 29 tokens: the rest of the estimate was given back before the second request.
        var second = await CompleteAsync(chat, Options(maxTokens: 100));
        Assert.Equal((1000 - 29 - estimate).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(second, "x-ratelimit-remaining-tokens"));
        Assert.Equal("1", Header(second, "x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task AnAnswerWithoutUsageIsCorrectedWithWhatItAnswered()
    {
        ReportsUsage = false;
        var gateway = await StartAsync("""
              - name: gpt-4o
                tpm: 1000
                deployments: [{provider: upstream}]
            """);
        var chat = Chat(gateway, "gpt-4o");

        await CompleteAsync(chat, Options(maxTokens: 100));
        var second = await CompleteAsync(chat, Options(maxTokens: 100));

        // The first took its prompt plus max_tokens, and gave back all but its prompt and the answer's text ("Hello!").
        var counted = PromptTokens + TiktokenTokenCounter.Instance.CountTokens("Hello!", Ct);
        Assert.Equal((1000 - counted - (PromptTokens + 100)).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(second, "x-ratelimit-remaining-tokens"));
    }

    [Fact]
    public async Task StreamsAreCorrectedWithTheirUsageEvent()
    {
        Usage = (40, 60);
        var gateway = await StartAsync("""
              - name: gpt-4o
                tpm: 1000
                deployments: [{provider: upstream}]
            """);
        var chat = Chat(gateway, "gpt-4o");
        var completed = _caller.NextCompletion();
        await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage(Prompt)], Options(maxTokens: 500), Ct))
        {
        }

        await completed;
        var next = await CompleteAsync(chat);

        Assert.Equal((1000 - 100 - PromptTokens).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(next, "x-ratelimit-remaining-tokens"));
    }

    [Fact]
    public async Task AStreamWhoseClientDidNotAskForUsageIsCorrectedWithTheUsageTheGatewayAskedFor()
    {
        Usage = (40, 60);
        // Usage records off: the limits stage alone asks for the usage.
        var gateway = await StartAsync(
            """
              - name: gpt-4o
                tpm: 1000
                deployments: [{provider: upstream}]
            """,
            "database: {record_usage: false}");
        var completed = _caller.NextCompletion();
        var body = JsonSerializer.Serialize(new { model = "gpt-4o", stream = true, max_tokens = 500, messages = new[] { new { role = "user", content = Prompt } } });
        using var response = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var events = await response.Content.ReadAsStringAsync(Ct);
        await completed;

        var next = await CompleteAsync(Chat(gateway, "gpt-4o"));

        // The upstream sends its usage event only when asked: the gateway asked, and kept the event to itself.
        Assert.True(_upstream.Requests.First().Body!.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.DoesNotContain("usage", events, StringComparison.Ordinal);
        Assert.Equal((1000 - 100 - PromptTokens).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(next, "x-ratelimit-remaining-tokens"));
    }

    [Fact]
    public async Task EachEndUserHasALimitOfTheirOwn()
    {
        var gateway = await StartAsync(
            """
              - name: gpt-4o
                deployments: [{provider: upstream}]
            """,
            "limits: {per_user: {rpm: 1}}");
        var chat = Chat(gateway, "gpt-4o");
        await CompleteAsync(chat, Options(user: "alice"));

        var (refused, error) = await RefusedAsync(chat, Options(user: "alice"));
        Assert.Equal(429, refused.Status);
        Assert.Contains("this end user", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("1", Header(await CompleteAsync(chat, Options(user: "bob")), "x-ratelimit-limit-requests"));

        // The header names the end user too, and wins over the body's field.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o","user":"carol","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-switchboard-user", "alice");
        using var viaHeader = await gateway.Http.SendAsync(request, Ct);
        await ErrorAssert.IsOpenAIErrorAsync(viaHeader, HttpStatusCode.TooManyRequests, code: "rate_limit_exceeded");
    }

    [Fact]
    public async Task KeysGetTheirOwnLimitsOrThePerKeyDefault()
    {
        var gateway = await StartAsync(
            """
              - name: gpt-4o
                deployments: [{provider: upstream}]
            """,
            "limits: {per_key: {rpm: 2}}",
            keys: true);
        var (_, smallKey) = await gateway.CreateKeyAsync(new { name = "small", rpm = 1 }, Ct);
        var (_, otherKey) = await gateway.CreateKeyAsync(new { name = "other" }, Ct);
        var small = Chat(gateway, "gpt-4o", smallKey);
        var other = Chat(gateway, "gpt-4o", otherKey);

        await CompleteAsync(small);
        var (refused, error) = await RefusedAsync(small);
        Assert.Equal(429, refused.Status);
        Assert.Equal("Rate limit reached for this key on requests per minute (RPM): limit 1. Please try again in 60s.", error.GetProperty("message").GetString());

        // A key without limits of its own has the per_key default.
        Assert.Equal("2", Header(await CompleteAsync(other), "x-ratelimit-limit-requests"));
        await CompleteAsync(other);
        Assert.Equal(429, (await RefusedAsync(other)).Response.Status);

        // The master key has no key limit.
        var master = await CompleteAsync(Chat(gateway, "gpt-4o", KeyedGateway.MasterKey));
        Assert.False(master.Headers.TryGetValue("x-ratelimit-limit-requests", out _));
    }

    [Fact]
    public async Task Returns429InsufficientQuotaOnceTheDailyBudgetIsSpentWithoutAskingTheUpstream()
    {
        Usage = (10_000, 10_000);
        var gateway = await StartAsync(
            """
              - name: gpt-4o
                deployments: [{provider: upstream, input_per_million: 1, output_per_million: 2}]
            """,
            keys: true);
        var (keyId, key) = await gateway.CreateKeyAsync(new { name = "budget", budget = new[] { "0.05/day" } }, Ct);
        var chat = Chat(gateway, "gpt-4o", key);

        // 10,000 × $1/M + 10,000 × $2/M = $0.03 a request: the second one takes the key over $0.05.
        await CompleteAsync(chat);
        await CompleteAsync(chat);
        var (refused, error) = await RefusedAsync(chat);

        Assert.Equal(429, refused.Status);
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal(((int)TimeSpan.FromHours(12).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(refused, "retry-after"));
        Assert.Equal(2, _upstream.Requests.Count);
        var store = (MemoryLimitStore)gateway.Services.GetService(typeof(ILimitStore))!;
        Assert.Equal(Usd.ToNanos(0.06m), store.SpendOf(keyId).Day);

        _time.Advance(TimeSpan.FromHours(12));
        await CompleteAsync(chat);
    }

    [Fact]
    public async Task ADeploymentsOwnCapacitySendsTheNextRequestToAnotherDeployment()
    {
        var gateway = await StartAsync("""
              - name: gpt-4o
                deployments:
                  - {provider: upstream, model: east, rpm: 1}
                  - {provider: second, model: west, rpm: 1}
            """);
        var chat = Chat(gateway, "gpt-4o");

        var served = new List<string>
        {
            Header(await CompleteAsync(chat), "x-switchboard-model"),
            Header(await CompleteAsync(chat), "x-switchboard-model"),
        };
        var (refused, error) = await RefusedAsync(chat);

        served.Sort(StringComparer.Ordinal);
        Assert.Equal(["east", "west"], served);
        Assert.Equal(429, refused.Status);
        Assert.Contains("every deployment", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task EmbeddingsAreCountedToo()
    {
        var gateway = await StartAsync("""
              - name: text-embedding-3-small
                rpm: 1
                deployments: [{provider: upstream}]
            """);
        _upstream.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response,
            """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}""");
        var client = gateway.CreateOpenAIClient().GetEmbeddingClient("text-embedding-3-small");
        await client.GenerateEmbeddingAsync("hi", cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("hi", cancellationToken: Ct));
        Assert.Equal(429, refused.Status);
        Assert.Equal("1", Header(refused.GetRawResponse()!, "x-ratelimit-limit-requests"));
    }

    [Fact]
    public async Task WithoutLimitsNothingIsCountedAndNoHeadersAreSent()
    {
        var gateway = await StartAsync("""
              - name: gpt-4o
                deployments: [{provider: upstream}]
            """);
        var response = await CompleteAsync(Chat(gateway, "gpt-4o"));
        Assert.False(response.Headers.TryGetValue("x-ratelimit-limit-requests", out _));
    }
}
