using Switchboard.Text;

namespace Switchboard.Core.Tests;

public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("*gpt-4o*", "openai/GPT-4o-mini", true)]
    [InlineData("*", "", true)]
    [InlineData("gpt-?", "gpt-4", true)]
    [InlineData("gpt-?", "gpt-40", false)]
    [InlineData("claude-*-opus", "claude-3-opus", true)]
    [InlineData("claude-*-opus", "claude-3-sonnet", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    [InlineData("gpt-[34]*", "gpt-4o", true)]
    [InlineData("gpt-[34]*", "gpt-5", false)]
    [InlineData("v[0-9].[!x]", "v2.1", true)]
    [InlineData("v[0-9].[!x]", "v2.x", false)]
    [InlineData("a**b", "ab", true)]
    [InlineData("[", "[", true)]
    public void MatchesLikeAShellGlob(string pattern, string value, bool expected) =>
        Assert.Equal(expected, new GlobPattern(pattern).IsMatch(value));

    [Fact]
    public void CaseMattersWhenAsked()
    {
        Assert.False(new GlobPattern("Hello*", ignoreCase: false).IsMatch("hello there"));
        Assert.True(new GlobPattern("Hello*", ignoreCase: false).IsMatch("Hello there"));
        Assert.True(new GlobPattern("[A-C]x", ignoreCase: true).IsMatch("bx"));
    }

    [Fact]
    public void PathologicalInputDoesNotBacktrackExponentially()
    {
        // A regex translation of this pattern times out on this input; the linear matcher answers at once.
        var pattern = new GlobPattern("*a*b*c*d*e*f*g*h*z");
        var value = string.Concat(Enumerable.Repeat("ab", 20000));

        Assert.False(pattern.IsMatch(value));
    }
}
