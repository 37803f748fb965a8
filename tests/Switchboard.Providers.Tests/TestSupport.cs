using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Providers.Tests;

internal static class TestSupport
{
    /// <summary>Guards awaits on signals so a broken test fails instead of hanging; never asserted on.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ChatCompletionRequest Chat(string json) =>
        JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;

    public static EmbeddingRequest Embedding(string json) =>
        JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.EmbeddingRequest)!;

    public static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ChatCompletionResponse Completed(this ChatResult result) =>
        Assert.IsType<ChatResult.Completed>(result).Response;

    public static Errors.GatewayError Failed(this ChatResult result) =>
        Assert.IsType<ChatResult.Failed>(result).Error;

    /// <summary>A stream's events as typed chunks (each parsed as a stage that looks at it would).</summary>
    public static IAsyncEnumerable<ChatCompletionChunk> Chunks(this ChatResult result) =>
        Assert.IsType<ChatResult.Streaming>(result).Chunks.Select(static e => e.Chunk);

    public static async Task<List<ChatCompletionChunk>> ToListAsync(this IAsyncEnumerable<ChatCompletionChunk> chunks)
    {
        var list = new List<ChatCompletionChunk>();
        await foreach (var chunk in chunks.WithCancellation(Ct))
        {
            list.Add(chunk);
        }

        return list;
    }

    /// <summary>
    /// Starts a stream, reads its first chunk, then cancels the token the way a disconnecting client does:
    /// the pending read must end with cancellation and the upstream must see its request aborted.
    /// </summary>
    public static async Task AssertCancellingAbortsUpstreamAsync(Func<CancellationToken, ValueTask<ChatResult>> start, Task upstreamAborted)
    {
        using var disconnect = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var result = await start(disconnect.Token);
        await using var chunks = result.Chunks().GetAsyncEnumerator(disconnect.Token);
        Assert.True(await chunks.MoveNextAsync());
        var next = chunks.MoveNextAsync();
        await disconnect.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
        await upstreamAborted.WaitAsync(Guard, Ct);
    }

    /// <summary>Starts a call against an upstream that never answers, moves the fake clock past the timeout and returns the error.</summary>
    public static async Task<Errors.GatewayError> TimeOutAsync(Func<ValueTask<ChatResult>> start, Task upstreamReceived, FakeTimeProvider time, TimeSpan timeout)
    {
        var call = start().AsTask();
        await upstreamReceived.WaitAsync(Guard, Ct);
        time.Advance(timeout);
        return (await call.WaitAsync(Guard, Ct)).Failed();
    }

    public static string Serialize(ChatCompletionChunk chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.ChatCompletionChunk);
}
