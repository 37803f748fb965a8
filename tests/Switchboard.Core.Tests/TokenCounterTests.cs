using System.Text;
using Switchboard.OpenAI;
using Switchboard.Tokens;

namespace Switchboard.Core.Tests;

/// <summary>o200k_base counting: exact on ordinary text, linear on text built to be slow, and cancellable.</summary>
public sealed class TokenCounterTests
{
    private static readonly TiktokenTokenCounter Counter = TiktokenTokenCounter.Instance;

    public static TheoryData<string> LongRuns => new()
    {
        new string('A', 1_000_000),
        new string(' ', 500_000),
        "!" + string.Concat(Enumerable.Repeat("\n/", 300_000)),
        string.Concat(Enumerable.Repeat("\u00e9\u0301", 300_000)),
        string.Concat(Enumerable.Repeat("\ud83d\ude00", 300_000)),
        new string('7', 600_000),
    };

    // Each of these took minutes to hours when a whole run went to the byte-pair merge at once; the guard is the
    // test's timeout, far above what linear counting needs.
    [Theory(Timeout = 60_000)]
    [MemberData(nameof(LongRuns))]
    public void LongRunsWithoutBreaksAreCountedInLinearTime(string text)
    {
        var tokens = Counter.CountTokens(text, TestContext.Current.CancellationToken);

        Assert.InRange(tokens, 1, text.Length);
    }

    [Fact]
    public void OrdinaryTextIsCountedExactly()
    {
        var random = new Random(16);
        string[] words = ["the", "Switchboard", "gateway", "naïve", "東京", "😀", "don't", "x=1;", "return", "3.14159", "12345678", "—", "ÆØÅ", "\t", "\n", "  ", "(", ")", "https://example.com/a/b?c=d", "[INST]", "<|endoftext|>", "/", "//", "!", "\r\n", "\n/", "-->"];
        for (var sample = 0; sample < 200; sample++)
        {
            var text = new StringBuilder();
            var length = random.Next(1, 3000);
            while (text.Length < length)
            {
                text.Append(words[random.Next(words.Length)]);
                text.Append(random.Next(4) == 0 ? string.Empty : " ");
            }

            var value = text.ToString();
            Assert.Equal(TiktokenTokenCounter.Tokenizer.CountTokens(value), Counter.CountTokens(value, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public void CountingObservesCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => Counter.CountTokens(new string('A', 100_000), cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => Counter.CountPromptTokens([new ChatMessage { Role = "user", Content = MessageContent.FromText("hi") }], cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => TiktokenTokenCounter.TokenStarts("hello", cancelled.Token));
    }

    [Fact]
    public void TextBeyondTheExactBudgetIsEstimated()
    {
        var text = string.Concat(Enumerable.Repeat("word ", 200_000));

        var tokens = Counter.CountTokens(text, TestContext.Current.CancellationToken);

        // " word" is one token; past the first 256 Ki characters four characters count as one.
        Assert.InRange(tokens, 200_000, 200_000 + ((text.Length - TiktokenTokenCounter.MaxExactChars) / TiktokenTokenCounter.CharsPerEstimatedToken));
    }

    [Theory]
    [InlineData("Hello world, this is 12345 a test")]
    [InlineData("東京 😀 naïve\n\nnew paragraph")]
    public void TokenStartsAreTheTokenizersOffsets(string text)
    {
        var expected = TiktokenTokenCounter.Tokenizer.EncodeToTokens(text, out _).Select(t => t.Offset.Start.GetOffset(text.Length)).Where(s => s > 0 && !char.IsLowSurrogate(text[s])).Distinct();

        Assert.Equal(expected, TiktokenTokenCounter.TokenStarts(text, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void TokenStartsOfALongRunCutItIntoPieces()
    {
        var text = new string('A', 1_000_000);

        var starts = TiktokenTokenCounter.TokenStarts(text, TestContext.Current.CancellationToken);

        Assert.NotEmpty(starts);
        Assert.Equal(starts.Order(), starts);
        Assert.True(starts[^1] < text.Length);
    }
}
