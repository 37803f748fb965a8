namespace Switchboard.Mock.Matching;

/// <summary>
/// One condition of a fixture. It scores a request from 0 (nothing alike) to 1 (matches); a fixture
/// matches when all its matchers score 1, and the average of the scores ranks the near misses.
/// </summary>
public interface IRequestMatcher
{
    /// <summary>How much this condition narrows a match; the most specific matching fixture wins a tie of priority.</summary>
    int Specificity { get; }

    /// <summary>
    /// A key under which the fixture can be found directly when this matcher compares for exact equality
    /// (<c>h:</c> history, <c>c:</c> conversation, <c>u:</c> last user message, <c>m:</c> model); null otherwise.
    /// </summary>
    string? IndexKey { get; }

    double Score(MockRequest request);

    /// <summary>What the matcher requires, e.g. <c>last user message equals 'hi'</c>.</summary>
    string Describe();

    /// <summary>Why the request does not match, as a short diff; called only when the score is below 1.</summary>
    string Explain(MockRequest request);
}
