using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// What prompt compression does (<c>compression:</c>) for the models that say <c>compress: true</c> and the requests
/// that send <c>x-switchboard-compress: on</c>. Each step keeps meaning; code, quotes, tool results, numbers and
/// names are never changed.
/// </summary>
public sealed class CompressionOptions
{
    /// <summary>Trailing spaces, runs of spaces, extra blank lines.</summary>
    public bool Whitespace { get; set; } = true;

    /// <summary>Horizontal rules and HTML comments.</summary>
    public bool Markup { get; set; } = true;

    /// <summary>Insignificant whitespace of valid JSON.</summary>
    [ConfigurationKeyName("minify_json")]
    public bool MinifyJson { get; set; } = true;

    /// <summary>Filler phrases ("please note that", "in order to").</summary>
    public bool Fillers { get; set; } = true;

    /// <summary>Paragraphs repeated verbatim from an earlier message.</summary>
    [ConfigurationKeyName("repeated_paragraphs")]
    public bool RepeatedParagraphs { get; set; } = true;

    /// <summary>Abbreviations with their legend sent once as a system message, only where they save tokens.</summary>
    public bool Abbreviations { get; set; }

    /// <summary>Whether a request may switch compression on or off with <c>x-switchboard-compress</c>.</summary>
    [ConfigurationKeyName("allow_header")]
    public bool AllowHeader { get; set; } = true;
}
