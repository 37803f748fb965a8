namespace Switchboard.Compression;

/// <summary>Which token-saving transformations <see cref="PromptCompressor"/> applies. Each keeps meaning; none touches protected text.</summary>
public sealed record PromptCompressionOptions
{
    /// <summary>Trailing spaces, runs of spaces inside a line, and more than one blank line.</summary>
    public bool Whitespace { get; init; } = true;

    /// <summary>Horizontal rules and HTML comments.</summary>
    public bool Markup { get; init; } = true;

    /// <summary>Valid JSON (a <c>```json</c> block or a paragraph that is a JSON object or array) without insignificant whitespace.</summary>
    public bool MinifyJson { get; init; } = true;

    /// <summary>Filler phrases ("please note that", "in order to", "due to the fact that").</summary>
    public bool Fillers { get; init; } = true;

    /// <summary>A paragraph repeated verbatim from an earlier message is replaced by a short reference to it.</summary>
    public bool RepeatedParagraphs { get; init; } = true;

    /// <summary>The shortest paragraph <see cref="RepeatedParagraphs"/> replaces, in characters.</summary>
    public int MinimumRepeatedParagraph { get; init; } = 200;

    /// <summary>
    /// Frequent long words replaced by short forms, with the legend sent once as a system message (in the spirit of
    /// SynthLang's symbolic notation). Applied only where it saves tokens, legend included.
    /// </summary>
    public bool Abbreviations { get; init; }

    /// <summary>Word → short form used by <see cref="Abbreviations"/>; lowercase words only, so names are never abbreviated.</summary>
    public IReadOnlyDictionary<string, string> AbbreviationTable { get; init; } = DefaultAbbreviations;

    /// <summary>How often a word must occur before abbreviating it pays for its legend entry.</summary>
    public int MinimumAbbreviationUses { get; init; } = 3;

    /// <summary>The built-in abbreviations.</summary>
    public static IReadOnlyDictionary<string, string> DefaultAbbreviations { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["configuration"] = "cfg", ["information"] = "info", ["application"] = "app", ["description"] = "desc",
        ["conversation"] = "conv", ["environment"] = "env", ["documentation"] = "docs", ["implementation"] = "impl",
        ["parameters"] = "params", ["parameter"] = "param", ["function"] = "fn", ["functions"] = "fns",
        ["requirements"] = "reqs", ["repository"] = "repo", ["transaction"] = "txn", ["transactions"] = "txns",
        ["message"] = "msg", ["messages"] = "msgs", ["response"] = "resp", ["responses"] = "resps",
        ["number"] = "no.", ["maximum"] = "max", ["minimum"] = "min", ["approximately"] = "approx",
        ["especially"] = "esp.", ["including"] = "incl.", ["regarding"] = "re", ["without"] = "w/o",
    };
}
