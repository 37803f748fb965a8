using Switchboard.Cleaning;

namespace Switchboard.Client.Tests;

/// <summary>The gateway's cleaner behind the client's IResponseCleaner: whole answers and streams agree.</summary>
public sealed class SwitchboardResponseCleanerTests
{
    [Theory]
    [InlineData("<think>Let me plan this.</think>\n\nThe answer is 42.", "The answer is 42.")]
    [InlineData("<reasoning>hidden</reasoning>Visible.", "Visible.")]
    [InlineData("Answer.<think>never closed", "Answer.")]
    [InlineData("Plain answer.", "Plain answer.")]
    public void CleansWholeAnswersAndStreamsAlike(string content, string expected)
    {
        var cleaner = SwitchboardResponseCleaner.Default;

        Assert.Equal(expected, cleaner.Clean(content));
        for (var size = 1; size <= content.Length; size++)
        {
            var stream = cleaner.StartStream();
            var output = string.Concat(content.Chunk(size).Select(chunk => stream.Append(new string(chunk)))) + stream.Complete();
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void ContextRemovesTheAssistantsEchoedName()
    {
        var cleaner = new SwitchboardResponseCleaner(context: new CleaningContext { AssistantNames = ["Botty"] });

        Assert.Equal("Hello!", cleaner.Clean("Botty: Hello!"));
    }
}
