using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>Compares two sequences of turns or messages: a closeness for ranking and a one-line diff for people.</summary>
internal static class SequenceDiff
{
    /// <summary>
    /// How alike two sequences are, in [0, 1]: the better of the share of positions covered by the common prefix
    /// and suffix, and a position-by-position comparison where unequal items count by <paramref name="closeness"/>.
    /// </summary>
    public static double Similarity<TExpected, TActual>(
        IReadOnlyList<TExpected> expected,
        IReadOnlyList<TActual> actual,
        Func<TExpected, TActual, bool> equals,
        Func<TExpected, TActual, double> closeness)
    {
        var max = Math.Max(expected.Count, actual.Count);
        if (max == 0)
        {
            return 1;
        }

        var (prefix, suffix) = CommonEnds(expected, actual, equals);
        var positional = 0.0;
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            positional += equals(expected[i], actual[i]) ? 1 : closeness(expected[i], actual[i]);
        }

        return Math.Max((double)(prefix + suffix) / max, positional / max);
    }

    public static (int Prefix, int Suffix) CommonEnds<TExpected, TActual>(
        IReadOnlyList<TExpected> expected,
        IReadOnlyList<TActual> actual,
        Func<TExpected, TActual, bool> equals)
    {
        var min = Math.Min(expected.Count, actual.Count);
        var prefix = 0;
        while (prefix < min && equals(expected[prefix], actual[prefix]))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < min - prefix && equals(expected[expected.Count - 1 - suffix], actual[actual.Count - 1 - suffix]))
        {
            suffix++;
        }

        return (prefix, suffix);
    }

    /// <summary>E.g. <c>differs at turn 3 of 3: expected 'USER: 2 please', got 'USER: 1 please'</c>.</summary>
    public static string Describe<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string unit)
        where T : notnull =>
        Describe(expected, actual, unit, EqualityComparer<T>.Default.Equals, e => e.ToString()!, a => a.ToString()!);

    public static string Describe<TExpected, TActual>(
        IReadOnlyList<TExpected> expected,
        IReadOnlyList<TActual> actual,
        string unit,
        Func<TExpected, TActual, bool> equals,
        Func<TExpected, string> showExpected,
        Func<TActual, string> showActual)
    {
        var (prefix, _) = CommonEnds(expected, actual, equals);
        if (prefix == expected.Count && prefix == actual.Count)
        {
            return "is equal";
        }

        if (prefix == expected.Count)
        {
            return $"has {actual.Count - prefix} extra {unit}(s) after {unit} {prefix}: '{TextNormalizer.Shorten(showActual(actual[prefix]))}'"
                + $" (expected {expected.Count} {unit}s, got {actual.Count})";
        }

        if (prefix == actual.Count)
        {
            return $"ends after {unit} {prefix}; expected {unit} {prefix + 1} '{TextNormalizer.Shorten(showExpected(expected[prefix]))}'"
                + $" (expected {expected.Count} {unit}s, got {actual.Count})";
        }

        return $"differs at {unit} {prefix + 1} of {actual.Count}: expected '{TextNormalizer.Shorten(showExpected(expected[prefix]))}',"
            + $" got '{TextNormalizer.Shorten(showActual(actual[prefix]))}'"
            + (expected.Count != actual.Count ? $" (expected {expected.Count} {unit}s, got {actual.Count})" : string.Empty);
    }
}
