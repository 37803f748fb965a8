using System.Net;
using System.Net.Sockets;
using System.Text.Json;
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

    /// <summary>A loopback port nothing listens on: bound, read, then released.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static ChatCompletionResponse Completed(this ChatResult result) =>
        Assert.IsType<ChatResult.Completed>(result).Response;

    public static Errors.GatewayError Failed(this ChatResult result) =>
        Assert.IsType<ChatResult.Failed>(result).Error;

    public static IAsyncEnumerable<ChatCompletionChunk> Chunks(this ChatResult result) =>
        Assert.IsType<ChatResult.Streaming>(result).Chunks;

    public static async Task<List<ChatCompletionChunk>> ToListAsync(this IAsyncEnumerable<ChatCompletionChunk> chunks)
    {
        var list = new List<ChatCompletionChunk>();
        await foreach (var chunk in chunks.WithCancellation(Ct))
        {
            list.Add(chunk);
        }

        return list;
    }

    public static string Serialize(ChatCompletionChunk chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.ChatCompletionChunk);
}
