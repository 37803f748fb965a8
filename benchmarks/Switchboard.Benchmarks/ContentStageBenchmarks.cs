using BenchmarkDotNet.Attributes;
using Switchboard.Cleaning;
using Switchboard.Compression;
using Switchboard.Tokens;

namespace Switchboard.Benchmarks;

/// <summary>
/// CPU per request of the opt-in content stages: cleaning a 1 KB answer (whole and as 60 streamed deltas) and
/// compressing a 2 KB prompt (the cost includes counting its tokens before and after).
/// </summary>
[MemoryDiagnoser]
public class ContentStageBenchmarks
{
    private static readonly string Answer =
        "<think>The user asks about the weather in Paris tomorrow. I should answer briefly and mention rain.</think>\n\n" +
        string.Join(' ', Enumerable.Repeat("Tomorrow in Paris it will be mostly cloudy with light rain in the afternoon.", 12)) + "<|im_end|>";

    private static readonly string[] Deltas = [.. Enumerable.Range(0, (Answer.Length + 16) / 17).Select(i => Answer.Substring(i * 17, Math.Min(17, Answer.Length - (i * 17))))];

    private static readonly PromptPart[] Prompt =
    [
        new("system", "You are a helpful assistant.   Please note that you must answer in order to help the user.\n\n\n---\n"),
        new("user", string.Join("\n", Enumerable.Repeat("Please note that the report   below is important in order to decide.  ", 20)) + "\n```json\n{ \"a\": 1,   \"b\": [1, 2, 3] }\n```"),
    ];

    private readonly PromptCompressor _compressor = new(new PromptCompressionOptions(), TiktokenTokenCounter.Instance.CountTokens);

    [Benchmark]
    public CleanedText CleanWholeAnswer() => ResponseCleaner.Default.Clean(Answer);

    [Benchmark]
    public int CleanStreamedAnswer()
    {
        var stream = ResponseCleaner.Default.BeginStream();
        var length = 0;
        foreach (var delta in Deltas)
        {
            length += stream.Push(delta).Content.Length;
        }

        return length + stream.Complete().Content.Length;
    }

    [Benchmark]
    public int CompressPrompt() => _compressor.Compress(Prompt).TokensSaved;
}
