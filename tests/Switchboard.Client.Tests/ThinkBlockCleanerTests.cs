namespace Switchboard.Client.Tests;

public sealed class ThinkBlockCleanerTests
{
    [Theory]
    [InlineData("No reasoning here.", "No reasoning here.")]
    [InlineData("<think>plan</think>Answer.", "Answer.")]
    [InlineData("<think>\nplan\n</think>\n\n  Answer.", "Answer.")]
    [InlineData("<THINK>plan</Think> Answer.", "Answer.")]
    [InlineData("Before <think>plan</think> after.", "Before after.")]
    [InlineData("<think>one</think>A <think>two</think>B", "A B")]
    [InlineData("Answer.<think>never closed", "Answer.")]
    [InlineData("<think>only reasoning", "")]
    [InlineData("1 < 2 and <thinking> is not a tag", "1 < 2 and <thinking> is not a tag")]
    [InlineData("ends with <thi", "ends with <thi")]
    [InlineData("  leading space stays", "  leading space stays")]
    public void CleansWholeAnswers(string content, string expected) =>
        Assert.Equal(expected, ThinkBlockCleaner.Instance.Clean(content));

    [Theory]
    [InlineData("<think>Let me plan this.</think>\n\nThe answer is 42.")]
    [InlineData("Answer <think>a</think> then <think>b")]
    [InlineData("1 < 2, <th, </think> and <think")]
    public void StreamGivesTheSameTextWhereverTheChunksSplit(string content)
    {
        var expected = ThinkBlockCleaner.Instance.Clean(content);
        for (var size = 1; size <= content.Length; size++)
        {
            var stream = ThinkBlockCleaner.Instance.StartStream();
            var output = string.Concat(content.Chunk(size).Select(chunk => stream.Append(new string(chunk)))) + stream.Complete();
            Assert.Equal(expected, output);
        }
    }

    [Fact]
    public void StreamHoldsBackOnlyWhatCouldBeATag()
    {
        var stream = ThinkBlockCleaner.Instance.StartStream();

        Assert.Equal("Hello ", stream.Append("Hello <th"));
        Assert.Equal(string.Empty, stream.Append("ink>secret"));
        Assert.Equal("world", stream.Append("</think> world"));
        Assert.Equal(string.Empty, stream.Complete());
    }
}
