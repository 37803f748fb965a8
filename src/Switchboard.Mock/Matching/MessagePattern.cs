namespace Switchboard.Mock.Matching;

/// <summary>One expected message of a <see cref="ConversationMatcher"/>: a role and a pattern for its text.</summary>
public sealed record MessagePattern(string Role, TextPattern Content)
{
    public bool IsMatch(RequestMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Equals(Role, message.Role, StringComparison.OrdinalIgnoreCase) && Content.IsMatch(message.Text);
    }

    public override string ToString() => $"{Role}: {Content.Pattern}";
}
