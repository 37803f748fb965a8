using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>Compares one request header (name without case) with a pattern; a missing header does not match.</summary>
public sealed class HeaderMatcher(string name, TextPattern pattern) : IRequestMatcher
{
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    public TextPattern Pattern { get; } = pattern ?? throw new ArgumentNullException(nameof(pattern));

    public int Specificity => 5 * Pattern.Weight;

    public string? IndexKey => null;

    public double Score(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValue(Name, out var value) ? Pattern.Score(TextNormalizer.Normalize(value)) : 0;
    }

    public string Describe() => $"header '{Name}' {Pattern}";

    public string Explain(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.TryGetValue(Name, out var value)
            ? $"header '{Name}' is '{TextNormalizer.Shorten(value)}', expected it {Pattern}"
            : $"header '{Name}' is missing, expected it {Pattern}";
    }
}
