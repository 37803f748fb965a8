using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Switchboard.Client;

namespace Switchboard.Benchmarks;

/// <summary>
/// What Switchboard.Client adds to a call over the Microsoft.Extensions.AI client it wraps (messages, options,
/// time limit, result mapping), and what its response cleaning costs. The inner client answers from memory, so
/// the figures are the library's own CPU, not HTTP.
/// </summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private static readonly string Answer = string.Concat(Enumerable.Repeat("The answer is forty-two, and here is why. ", 48));
    private static readonly string Reasoning = "<think>" + string.Concat(Enumerable.Repeat("Let me plan this step by step. ", 32)) + "</think>\n\n" + Answer;

    private readonly InMemoryChatClient _inner = new();
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Why?")];
    private readonly ChatOptions _options = new() { ModelId = "m", Temperature = 0.7f, MaxOutputTokens = 500 };
    private LlmClient _client = null!;
    private string[] _chunks = [];

    [GlobalSetup]
    public void Setup()
    {
        _client = new LlmClient(_inner, new LlmClientOptions { Model = "m" });
        _chunks = [.. Reasoning.Chunk(4).Select(c => new string(c))];
    }

    [GlobalCleanup]
    public void Cleanup() => _client.Dispose();

    [Benchmark(Baseline = true, Description = "IChatClient.GetResponseAsync (in memory)")]
    public Task<ChatResponse> Inner() => _inner.GetResponseAsync(_messages, _options);

    [Benchmark(Description = "LlmClient.CompleteAsync over it")]
    public Task<LlmResponse> Client() => _client.CompleteAsync("Why?");

    [Benchmark(Description = "ThinkBlockCleaner.Clean, 2 KB answer without a block")]
    public string CleanPlain() => ThinkBlockCleaner.Instance.Clean(Answer);

    [Benchmark(Description = "ThinkBlockCleaner.Clean, 1 KB block + 2 KB answer")]
    public string CleanReasoning() => ThinkBlockCleaner.Instance.Clean(Reasoning);

    [Benchmark(Description = "ThinkBlockCleaner stream, same text in 4-char chunks")]
    public int CleanStream()
    {
        var stream = ThinkBlockCleaner.Instance.StartStream();
        var length = 0;
        foreach (var chunk in _chunks)
        {
            length += stream.Append(chunk).Length;
        }

        return length + stream.Complete().Length;
    }

    private sealed class InMemoryChatClient : IChatClient
    {
        private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, Answer))
        {
            ModelId = "m",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 480, TotalTokenCount = 492 },
        };

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(_response);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
