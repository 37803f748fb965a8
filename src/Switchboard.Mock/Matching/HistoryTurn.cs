namespace Switchboard.Mock.Matching;

/// <summary>One line of a "Conversation History" block: who spoke (<c>USER</c>, <c>AI</c>, ...) and what, normalized.</summary>
public sealed record HistoryTurn(string Speaker, string Text)
{
    public override string ToString() => $"{Speaker}: {Text}";
}
