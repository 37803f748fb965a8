using System.Text;
using BenchmarkDotNet.Attributes;
using Switchboard.Errors;
using Switchboard.Hosting.Http;
using Switchboard.Streaming;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// What issue 16's hardening added to hot paths: the text check of every request body, the content check of
/// every streamed event, and token counting cut into slices (against the tokenizer's own count, which it
/// replaces and equals on ordinary text).
/// </summary>
[MemoryDiagnoser]
public class HardeningBenchmarks
{
    private static readonly byte[] ContentChunk = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1763942400,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" token"},"logprobs":null,"finish_reason":null}]}""");

    private static readonly byte[] RoleChunk = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1763942400,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}""");

    private static readonly string Prompt = Encoding.UTF8.GetString(Payloads.RasaPrompt);
    private static readonly string LongRun = new('A', 10_000);

    [Benchmark(Description = "CheckText, small chat (180 B)")]
    public GatewayError? CheckSmall() => OpenAIRequestReader.CheckText(Payloads.SmallChat);

    [Benchmark(Description = "CheckText, chat with 3 tools (2.1 KB)")]
    public GatewayError? CheckTools() => OpenAIRequestReader.CheckText(Payloads.WithTools);

    [Benchmark(Description = "CheckText, Rasa prompt (20 KB)")]
    public GatewayError? CheckRasa() => OpenAIRequestReader.CheckText(Payloads.RasaPrompt);

    [Benchmark(Description = "ChunkScanner.Scan, content event")]
    public ChunkScan ScanContent() => ChunkScanner.Scan(ContentChunk);

    [Benchmark(Description = "ChunkScanner.Scan, role-only event")]
    public ChunkScan ScanRole() => ChunkScanner.Scan(RoleChunk);

    [Benchmark(Baseline = true, Description = "Tokenizer.CountTokens, Rasa prompt (as before)")]
    public int TokenizerPrompt() => TiktokenTokenCounter.Tokenizer.CountTokens(Prompt);

    [Benchmark(Description = "TiktokenTokenCounter.CountTokens, Rasa prompt (sliced)")]
    public int CounterPrompt() => TiktokenTokenCounter.Instance.CountTokens(Prompt);

    [Benchmark(Description = "Tokenizer.CountTokens, 'A' x 10,000 (as before)")]
    public int TokenizerLongRun() => TiktokenTokenCounter.Tokenizer.CountTokens(LongRun);

    [Benchmark(Description = "TiktokenTokenCounter.CountTokens, 'A' x 10,000 (sliced)")]
    public int CounterLongRun() => TiktokenTokenCounter.Instance.CountTokens(LongRun);
}
