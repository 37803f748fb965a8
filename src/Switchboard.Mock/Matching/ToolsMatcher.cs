namespace Switchboard.Mock.Matching;

/// <summary>Requires the request to offer every named tool in <c>tools[]</c> (it may offer more).</summary>
public sealed class ToolsMatcher(IReadOnlyList<string> names) : IRequestMatcher
{
    public IReadOnlyList<string> Names { get; } = names ?? throw new ArgumentNullException(nameof(names));

    public int Specificity => 6 + Names.Count;

    public string? IndexKey => null;

    public double Score(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Names.Count == 0 ? (request.ToolNames.Count == 0 ? 1 : 0) : (double)Names.Count(request.ToolNames.Contains) / Names.Count;
    }

    public string Describe() => Names.Count == 0 ? "no tools offered" : $"tools include {string.Join(", ", Names)}";

    public string Explain(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Names.Count == 0)
        {
            return $"the request offers tools ({string.Join(", ", request.ToolNames)}), expected none";
        }

        var missing = Names.Where(n => !request.ToolNames.Contains(n));
        return $"tools lack {string.Join(", ", missing)} (offered: {(request.ToolNames.Count == 0 ? "none" : string.Join(", ", request.ToolNames))})";
    }
}
