using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.OpenAI;

namespace Switchboard.Benchmarks;

/// <summary>
/// Writing JSON: a whole <see cref="ChatCompletionResponse"/> with the relaxed encoder the gateway answers with (what a non-streamed answer costs) and a request
/// re-serialized for the upstream (what the OpenAI provider does before forwarding).
/// </summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter _writer = null!;
    private ChatCompletionRequest _small = null!;
    private ChatCompletionRequest _tools = null!;
    private ChatCompletionRequest _rasa = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _small = JsonSerializer.Deserialize(Payloads.SmallChat, OpenAIJsonContext.Default.ChatCompletionRequest)!;
        _tools = JsonSerializer.Deserialize(Payloads.WithTools, OpenAIJsonContext.Default.ChatCompletionRequest)!;
        _rasa = JsonSerializer.Deserialize(Payloads.RasaPrompt, OpenAIJsonContext.Default.ChatCompletionRequest)!;
    }

    [Benchmark(Baseline = true, Description = "ChatCompletionResponse -> byte[]")]
    public byte[] ResponseToBytes() => JsonSerializer.SerializeToUtf8Bytes(Payloads.Response, OpenAIJsonContext.Relaxed.ChatCompletionResponse);

    [Benchmark(Description = "ChatCompletionResponse -> reused buffer writer")]
    public int ResponseToBufferWriter()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, Payloads.Response, OpenAIJsonContext.Relaxed.ChatCompletionResponse);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark(Description = "ChatCompletionResponse parse (upstream answer)")]
    public ChatCompletionResponse? ResponseParse() => JsonSerializer.Deserialize(ResponseBytes, OpenAIJsonContext.Default.ChatCompletionResponse);

    [Benchmark(Description = "Request -> byte[] (forward, small)")]
    public byte[] ForwardSmall() => JsonSerializer.SerializeToUtf8Bytes(_small, OpenAIJsonContext.Default.ChatCompletionRequest);

    [Benchmark(Description = "Request -> byte[] (forward, tools)")]
    public byte[] ForwardTools() => JsonSerializer.SerializeToUtf8Bytes(_tools, OpenAIJsonContext.Default.ChatCompletionRequest);

    [Benchmark(Description = "Request -> byte[] (forward, Rasa 20 KB)")]
    public byte[] ForwardRasa() => JsonSerializer.SerializeToUtf8Bytes(_rasa, OpenAIJsonContext.Default.ChatCompletionRequest);

    [Benchmark(Description = "Request -> byte[] (forward, Rasa 20 KB, relaxed encoder)")]
    public byte[] ForwardRasaRelaxed() => JsonSerializer.SerializeToUtf8Bytes(_rasa, OpenAIJsonContext.Relaxed.ChatCompletionRequest);

    private static readonly byte[] ResponseBytes = JsonSerializer.SerializeToUtf8Bytes(Payloads.Response, OpenAIJsonContext.Default.ChatCompletionResponse);
}
