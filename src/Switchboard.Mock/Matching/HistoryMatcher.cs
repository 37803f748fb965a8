using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>
/// Requires the request's Conversation History block to equal the expected turns as a whole (each turn's
/// speaker and normalized text), so histories that share a prefix select different fixtures.
/// </summary>
public sealed class HistoryMatcher : IRequestMatcher
{
    public HistoryMatcher(IReadOnlyList<HistoryTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        Turns = turns;
        Key = ConversationHistory.ToKey(turns);
    }

    public IReadOnlyList<HistoryTurn> Turns { get; }

    internal string Key { get; }

    public int Specificity => 60;

    public string? IndexKey => "h:" + Key;

    public double Score(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The key first: it is there without the turns for a scanned body (null exactly when there is no history).
        var key = request.HistoryKey;
        if (key is null)
        {
            return 0;
        }

        if (key == Key)
        {
            return 1;
        }

        return 0.95 * SequenceDiff.Similarity(Turns, request.History!, (e, a) => e == a, Closeness);
    }

    // Turns of the same speaker count by how much of their text agrees; a turn of another speaker not at all.
    private static double Closeness(HistoryTurn expected, HistoryTurn actual) =>
        expected.Speaker == actual.Speaker ? 0.8 * TextPattern.Similarity(expected.Text, actual.Text) : 0;

    public string Describe() => Turns.Count == 0
        ? "history is empty"
        : $"history of {Turns.Count} turns ending '{TextNormalizer.Shorten(Turns[^1].ToString(), 60)}'";

    public string Explain(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.History is not { } actual
            ? "the request has no Conversation History block"
            : "history " + SequenceDiff.Describe(Turns, actual, "turn");
    }
}
