namespace Switchboard.Mock.Matching;

/// <summary>Requires the request's messages, in order and all of them, to match the expected roles and texts.</summary>
public sealed class ConversationMatcher : IRequestMatcher
{
    public ConversationMatcher(IReadOnlyList<MessagePattern> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Messages = messages;
        if (messages.All(m => m.Content is { Comparison: TextComparison.Equals, IgnoreCase: false }))
        {
            IndexKey = "c:" + string.Join(ConversationHistory.KeyTurnSeparator, messages.Select(m => m.Role + ConversationHistory.KeySpeakerSeparator + m.Content.Pattern));
        }
    }

    public IReadOnlyList<MessagePattern> Messages { get; }

    public int Specificity => 50 + Messages.Sum(m => m.Content.Weight);

    public string? IndexKey { get; }

    public double Score(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var actual = request.Messages;
        if (IndexKey is not null && IndexKey.AsSpan(2).SequenceEqual(request.ConversationKey))
        {
            return 1;
        }

        var (prefix, _) = SequenceDiff.CommonEnds(Messages, actual, (e, a) => e.IsMatch(a));
        if (prefix == Messages.Count && prefix == actual.Count)
        {
            return 1;
        }

        return 0.95 * SequenceDiff.Similarity(Messages, actual, (e, a) => e.IsMatch(a), Closeness);
    }

    // A message of the right role counts by how close its text is to the pattern.
    private static double Closeness(MessagePattern expected, RequestMessage actual) =>
        string.Equals(expected.Role, actual.Role, StringComparison.OrdinalIgnoreCase) ? 0.8 * expected.Content.Score(actual.Text) : 0;

    public string Describe() => $"conversation of {Messages.Count} messages ending '{Messages.LastOrDefault()}'";

    public string Explain(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return "conversation " + SequenceDiff.Describe(Messages, request.Messages, "message", (e, a) => e.IsMatch(a), e => e.ToString(), a => a.ToString());
    }
}
