using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// An OpenAI-compatible upstream for cache tests: every chat answer is numbered (<c>answer N: TEXT</c>, N counting
/// the chat calls it received), so a test tells an answer served from the cache from a fresh one. The last user
/// message steers it: <c>[fail]</c> answers 500, <c>[length]</c> finishes with <c>length</c>, <c>[cut]</c> breaks a
/// stream after two chunks. Streams send one word per chunk and the usage event when asked. Embeddings answer
/// <see cref="EmbeddingFor"/>'s vector.
/// </summary>
public sealed class AnsweringUpstream : IAsyncDisposable
{
    private readonly FakeUpstream _server;
    private int _chats;
    private int _embeddings;

    private AnsweringUpstream(FakeUpstream server)
    {
        _server = server;
        server.Handler = AnswerAsync;
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl => _server.BaseUrl;

    /// <summary>Chat calls received.</summary>
    public int ChatCalls => Volatile.Read(ref _chats);

    /// <summary>Embeddings calls received.</summary>
    public int EmbeddingCalls => Volatile.Read(ref _embeddings);

    /// <summary>The vector an embeddings call gets for a text (every text the same one unless set).</summary>
    public Func<string, float[]> EmbeddingFor { get; set; } = _ => [0.6f, 0.8f, 0f];

    public static async Task<AnsweringUpstream> StartAsync() => new(await FakeUpstream.StartAsync());

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task AnswerAsync(HttpContext http, JsonDocument? body)
    {
        var root = body!.RootElement;
        if (http.Request.Path.Value!.EndsWith("/embeddings", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _embeddings);
            var vector = EmbeddingFor(root.GetProperty("input").GetString()!);
            var embedding = JsonSerializer.Serialize(vector);
            await http.Response.WriteJsonAsync("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":VECTOR}],"model":"emb","usage":{"prompt_tokens":5,"total_tokens":5}}""".Replace("VECTOR", embedding, StringComparison.Ordinal));
            return;
        }

        var number = Interlocked.Increment(ref _chats);
        var messages = root.GetProperty("messages");
        var text = messages[messages.GetArrayLength() - 1].GetProperty("content").GetString()!;
        var model = root.GetProperty("model").GetString()!;
        if (text.Contains("[fail]", StringComparison.Ordinal))
        {
            await http.Response.WriteJsonAsync("""{"error":{"message":"boom","type":"server_error","param":null,"code":null}}""", 500);
            return;
        }

        var answer = $"answer {number}: {text}";
        var finish = text.Contains("[length]", StringComparison.Ordinal) ? "length" : "stop";
        if (!root.TryGetProperty("stream", out var stream) || !stream.GetBoolean())
        {
            await http.Response.WriteJsonAsync(OpenAIUpstreamResponses.Completion(model, answer).Replace("\"stop\"", $"\"{finish}\"", StringComparison.Ordinal));
            return;
        }

        http.Response.ContentType = "text/event-stream";
        await http.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk(model, string.Empty, role: true));
        var words = answer.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (i == 2 && text.Contains("[cut]", StringComparison.Ordinal))
            {
                http.Abort();
                return;
            }

            await http.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk(model, (i == 0 ? string.Empty : " ") + words[i]));
        }

        await http.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk(model, null, finish));
        if (root.TryGetProperty("stream_options", out var options) && options.TryGetProperty("include_usage", out var usage) && usage.GetBoolean())
        {
            await http.Response.WriteEventAsync("""{"id":"chatcmpl-upstream3","object":"chat.completion.chunk","created":1694268190,"model":"m","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}""");
        }

        await http.Response.WriteEventAsync("[DONE]");
    }
}
