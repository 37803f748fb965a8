namespace Switchboard.Mock.Matching;

/// <summary>How a <see cref="TextPattern"/> compares text.</summary>
public enum TextComparison
{
    /// <summary>The whole text equals the pattern (after white-space normalization).</summary>
    Equals,

    /// <summary>The text contains the pattern (after white-space normalization).</summary>
    Contains,

    /// <summary>The text matches a .NET regular expression (not anchored unless the pattern says so).</summary>
    Regex,

    /// <summary>The whole text matches a glob: <c>*</c> any run, <c>?</c> one character, <c>[abc]</c> a set.</summary>
    Glob,
}
