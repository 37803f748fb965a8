using Switchboard.Cleaning;

namespace Switchboard.Cleaning.Tests;

public sealed class ResponseCleanerTests
{
    private static readonly CleaningContext Channel = new()
    {
        AssistantNames = ["Switchboard", "qwen3-8b"],
        OtherSpeakers = ["alice", "bob_42"],
    };

    public static TheoryData<string, string, string> Replies => new()
    {
        { "<think>The user greets me.</think>Hello!", "Hello!", "The user greets me." },
        { "<think>\nplan\n</think>\n\nHello!", "Hello!", "plan" },
        { "<THINK>loud</Think>quiet", "quiet", "loud" },
        { "<think>never closed, the model ran out of tokens", "", "never closed, the model ran out of tokens" },
        { "Before <think>aside</think>after", "Before after", "aside" },
        { "<thinking>a</thinking>b<reasoning>c</reasoning>d", "bd", "ac" },
        { "(thinking: they want the weather) It is sunny.", "It is sunny.", "" },
        { "[inner monologue: be nice] Sure.", "Sure.", "" },
        { "*thinks for a moment* Okay, here goes.", "Okay, here goes.", "" },
        { "Thoughts: this is a trick question\nThe answer is 4.", "The answer is 4.", "" },
        { "Assistant: Hi there", "Hi there", "" },
        { "**Switchboard**: hey alice", "hey alice", "" },
        { "qwen3-8b: I can help", "I can help", "" },
        { "Hi alice!\nbob_42: me too\nalice: thanks", "Hi alice!", "" },
        { "Hello<|im_end|>", "Hello", "" },
        { "<|im_start|>assistant\nHello there<|im_end|>\n", "Hello there", "" },
        { "[INST] Sure [/INST]</s>", "Sure", "" },
        { "a < b and c > d", "a < b and c > d", "" },
        { "x <b>bold</b> [1] ok", "x <b>bold</b> [1] ok", "" },
        { "Note: the meeting is at 10:30.", "Note: the meeting is at 10:30.", "" },
        { "Here is a list:\n- alice: admin\n- bob: user", "Here is a list:\n- alice: admin\n- bob: user", "" },
        { "   \n\n  Indented start", "Indented start", "" },
        { "", "", "" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void CleansAWholeReply(string reply, string content, string reasoning)
    {
        var cleaned = ResponseCleaner.Default.Clean(reply, Channel);

        Assert.Equal(content, cleaned.Content);
        Assert.Equal(reasoning, cleaned.Reasoning);
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void AStreamSplitAnywhereGivesTheSameAsTheWholeReply(string reply, string content, string reasoning)
    {
        for (var split = 0; split <= reply.Length; split++)
        {
            AssertStreamed(reply, [reply[..split], reply[split..]], content, reasoning);
        }

        AssertStreamed(reply, [.. reply.Select(c => c.ToString())], content, reasoning);
    }

    [Fact]
    public void ContentIsNotHeldBackLongerThanNeeded()
    {
        var stream = ResponseCleaner.Default.BeginStream(Channel);

        var first = stream.Push("Hello there, this is a reply that has no colon in its first words");

        Assert.StartsWith("Hello there", first.Content);
    }

    [Fact]
    public void ATagStartIsHeldUntilTheNextDeltaDecidesIt()
    {
        var stream = ResponseCleaner.Default.BeginStream();

        var first = stream.Push("Hello world, a long enough line <thi");
        var second = stream.Push("nk>secret</think> bye");
        var last = stream.Complete();

        Assert.Equal("Hello world, a long enough line", first.Content);
        Assert.Equal("  bye", second.Content + last.Content);
        Assert.Equal("secret", second.Reasoning);
    }

    [Fact]
    public void AWholeReplyWhoseTemplateOpenedTheBlockIsReasoningUpToTheClosingTag()
    {
        var cleaned = ResponseCleaner.Default.Clean("the template opened it</think>Answer");

        Assert.Equal("Answer", cleaned.Content);
        Assert.Equal("the template opened it", cleaned.Reasoning);
    }

    [Fact]
    public void AStreamWhoseTemplateOpensTheBlockIsToldSo()
    {
        var cleaner = new ResponseCleaner(new ResponseCleanerOptions { StartsInReasoning = true });
        var stream = cleaner.BeginStream();

        var first = stream.Push("still thinking, a long while");
        var second = stream.Push("</think>Answer");
        var last = stream.Complete();

        Assert.Equal("", first.Content);
        Assert.Equal("Answer", second.Content + last.Content);
        Assert.Equal("still thinking, a long while", first.Reasoning);
    }

    [Fact]
    public void ReasoningCanBeKeptWhenSwitchedOff()
    {
        var cleaner = new ResponseCleaner(new ResponseCleanerOptions { StripReasoning = false });

        Assert.Equal("<think>x</think>y", cleaner.Clean("<think>x</think>y").Content);
    }

    [Fact]
    public void ExtraPatternsRemoveWholeLines()
    {
        var cleaner = new ResponseCleaner(new ResponseCleanerOptions { ExtraPatterns = [@"^\s*\(Note to self:[^)]*\)\s*$\n?"] });

        Assert.Equal("Line one\nLine two", cleaner.Clean("Line one\n(Note to self: be brief)\nLine two").Content);
    }

    [Fact]
    public void AnInvalidExtraPatternFailsAtConstruction() =>
        Assert.ThrowsAny<ArgumentException>(() => new ResponseCleaner(new ResponseCleanerOptions { ExtraPatterns = ["(unclosed"] }));

    [Fact]
    public void AnotherSpeakerIsNotCutWhenSwitchedOff()
    {
        var cleaner = new ResponseCleaner(new ResponseCleanerOptions { CutAtOtherSpeaker = false });

        Assert.Equal("Hi\nalice: yo", cleaner.Clean("Hi\nalice: yo", Channel).Content);
    }

    private static void AssertStreamed(string reply, IEnumerable<string> deltas, string content, string reasoning)
    {
        var stream = ResponseCleaner.Default.BeginStream(Channel);
        var shown = new System.Text.StringBuilder();
        var thought = new System.Text.StringBuilder();
        foreach (var delta in deltas)
        {
            var part = stream.Push(delta);
            shown.Append(part.Content);
            thought.Append(part.Reasoning);
        }

        var last = stream.Complete();
        shown.Append(last.Content);
        thought.Append(last.Reasoning);
        Assert.True(content == shown.ToString(), $"content of {reply.Length}-char reply split as [{string.Join("|", deltas)}]: '{shown}'");
        Assert.True(reasoning == thought.ToString().Trim(), $"reasoning of reply split as [{string.Join("|", deltas)}]: '{thought}'");
    }
}
