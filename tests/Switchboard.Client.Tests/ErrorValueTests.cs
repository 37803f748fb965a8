using Switchboard.Client.Tests.Infrastructure;
using static Switchboard.Client.Tests.CompletionTests;

namespace Switchboard.Client.Tests;

/// <summary>Every failure comes back as a value with a useful message; the mock's faults produce them.</summary>
public sealed class ErrorValueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RefusedConnectionIsAValue()
    {
        var port = Loopback.ClosedPort();
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}/v1"), Model = "m" });

        var answer = await llm.CompleteAsync("hi", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.ConnectionFailed);
        Assert.Contains("refused", answer.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"127.0.0.1:{port}", answer.Error, StringComparison.Ordinal);
        Assert.Equal("m", answer.ModelUsed);
    }

    [Fact]
    public async Task UnknownHostIsAValue()
    {
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = new Uri("http://no-such-host.invalid/v1"), Model = "m" });

        var answer = await llm.CompleteAsync("hi", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.HostNotFound);
        Assert.Contains("'no-such-host.invalid'", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutIsAValue()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.Timeout = TimeSpan.FromMilliseconds(300));

        var answer = await llm.CompleteAsync("take your time", cancellationToken: Ct);
        var streamed = (await ToListAsync(llm.StreamAsync("take your time", cancellationToken: Ct)))[^1].Response!;

        AssertFailed(answer, LlmErrorKind.Timeout);
        Assert.Contains("within 300 ms", answer.Error, StringComparison.Ordinal);
        AssertFailed(streamed, LlmErrorKind.Timeout);
    }

    [Fact]
    public async Task ClientErrorCarriesTheServersMessage()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("bad request", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.ClientError);
        Assert.Equal(400, answer.StatusCode);
        Assert.Contains("HTTP 400 Bad Request", answer.Error, StringComparison.Ordinal);
        Assert.Contains("'temperature' is too high", answer.Error, StringComparison.Ordinal);
        Assert.Contains("/v1/chat/completions", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFoundCarriesTheServersMessage()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("nothing matches this", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.ClientError);
        Assert.Equal(404, answer.StatusCode);
        var miss = Assert.Single(mock.Journal.Misses);
        Assert.Contains(miss.Error!, answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitSaysWhenToRetry()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("rate limit me", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.RateLimited);
        Assert.Equal(429, answer.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), answer.RetryAfter);
        Assert.Contains("Slow down", answer.Error, StringComparison.Ordinal);
        Assert.Contains("Retry after 7 s", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorCarriesTheServersMessage()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("fail please", cancellationToken: Ct);
        var streamed = (await ToListAsync(llm.StreamAsync("fail please", cancellationToken: Ct)))[^1].Response!;

        AssertFailed(answer, LlmErrorKind.ServerError);
        Assert.Equal(503, answer.StatusCode);
        Assert.Contains("The model is overloaded", answer.Error, StringComparison.Ordinal);
        AssertFailed(streamed, LlmErrorKind.ServerError);
        Assert.Equal(answer.Error, streamed.Error);
    }

    [Fact]
    public async Task MalformedAnswerIsAValue()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("send garbage", cancellationToken: Ct);
        var updates = await ToListAsync(llm.StreamAsync("send garbage", cancellationToken: Ct));

        AssertFailed(answer, LlmErrorKind.InvalidResponse);
        AssertFailed(updates[^1].Response!, LlmErrorKind.InvalidResponse);
    }

    [Fact]
    public async Task DroppedConnectionIsAValue()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("hang up", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.ConnectionFailed);
        Assert.Contains($"{mock.BaseUrl.Authority}", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBrokenHalfWayEndsWithAFailure()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var updates = await ToListAsync(llm.StreamAsync("break the stream", cancellationToken: Ct));

        // The chunks before the hang-up may or may not be read before the reset reaches the client; either way
        // the stream ends with one failure, never with a short answer passed off as complete.
        Assert.All(updates[..^1], u => Assert.False(u.IsFinal));
        var final = updates[^1].Response!;
        AssertFailed(final, LlmErrorKind.ConnectionFailed);
        Assert.Contains("before the answer was complete", final.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingModelIsAValueAndNothingIsSent()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock, o => o.Model = null);

        var answer = await llm.CompleteAsync("Say hello", cancellationToken: Ct);
        var blank = await llm.CompleteAsync("Say hello", new LlmRequestOptions { Model = "  " }, Ct);
        var streamed = (await ToListAsync(llm.StreamAsync("Say hello", cancellationToken: Ct)))[^1].Response!;
        var sync = llm.Complete("Say hello", cancellationToken: Ct);

        AssertFailed(answer, LlmErrorKind.InvalidRequest);
        Assert.Contains("LLM_MODEL", answer.Error, StringComparison.Ordinal);
        AssertFailed(blank, LlmErrorKind.InvalidRequest);
        AssertFailed(streamed, LlmErrorKind.InvalidRequest);
        AssertFailed(sync, LlmErrorKind.InvalidRequest);
        Assert.Empty(mock.Journal.Entries);
    }

    [Fact]
    public async Task EmptyInputIsAValueAndNothingIsSent()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var emptyPrompt = await llm.CompleteAsync("   ", cancellationToken: Ct);
        var noMessages = await llm.CompleteAsync([], cancellationToken: Ct);
        var badExtra = await llm.CompleteAsync("Say hello", new LlmRequestOptions { AdditionalProperties = new Dictionary<string, object?> { ["a.b"] = 1 } }, Ct);

        AssertFailed(emptyPrompt, LlmErrorKind.InvalidRequest);
        Assert.Contains("prompt is empty", emptyPrompt.Error, StringComparison.Ordinal);
        AssertFailed(noMessages, LlmErrorKind.InvalidRequest);
        AssertFailed(badExtra, LlmErrorKind.InvalidRequest);
        Assert.Contains("'a.b'", badExtra.Error, StringComparison.Ordinal);
        Assert.Empty(mock.Journal.Entries);
    }

    internal static void AssertFailed(LlmResponse answer, LlmErrorKind kind)
    {
        Assert.False(answer.Success);
        Assert.Equal(kind, answer.ErrorKind);
        Assert.False(string.IsNullOrWhiteSpace(answer.Error));
        Assert.Equal(string.Empty, answer.Content);
        Assert.Null(answer.ChatResponse);
        Assert.True(answer.ResponseTime >= TimeSpan.Zero);
    }
}
