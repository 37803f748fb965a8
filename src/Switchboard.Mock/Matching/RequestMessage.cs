namespace Switchboard.Mock.Matching;

/// <summary>A message of a request as matching sees it: the role and the normalized text (tool calls included).</summary>
public sealed record RequestMessage(string Role, string Text)
{
    public override string ToString() => $"{Role}: {Text}";
}
