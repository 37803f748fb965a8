using BenchmarkDotNet.Attributes;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;

namespace Switchboard.Benchmarks;

/// <summary><see cref="OpenAIRequestReader.Parse{T}"/>: what the gateway does with every chat request body.</summary>
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    [Benchmark(Baseline = true, Description = "Parse small chat (180 B)")]
    public ChatCompletionRequest? SmallChat() => OpenAIRequestReader.Parse(Payloads.SmallChat, OpenAIJsonContext.Default.ChatCompletionRequest).Value;

    [Benchmark(Description = "Parse chat with 3 tools (2.1 KB)")]
    public ChatCompletionRequest? WithTools() => OpenAIRequestReader.Parse(Payloads.WithTools, OpenAIJsonContext.Default.ChatCompletionRequest).Value;

    [Benchmark(Description = "Parse Rasa prompt (20 KB)")]
    public ChatCompletionRequest? RasaPrompt() => OpenAIRequestReader.Parse(Payloads.RasaPrompt, OpenAIJsonContext.Default.ChatCompletionRequest).Value;
}
