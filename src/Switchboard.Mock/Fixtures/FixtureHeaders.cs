namespace Switchboard.Mock.Fixtures;

/// <summary>
/// Checks the answer headers a fixture sets when it is loaded: a header the server cannot write (a line break in
/// its value, a name that is not a token) or must write itself (the body's length and framing) would otherwise
/// fail every request the fixture matches.
/// </summary>
public static class FixtureHeaders
{
    private static readonly HashSet<string> ServerOwned = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer", "te", "proxy-connection",
    };

    /// <summary>What is wrong with a header, or null when the server can send it as it is.</summary>
    public static string? Problem(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            return $"'{Printable(name)}' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only).";
        }

        if (ServerOwned.Contains(name))
        {
            return $"the header '{name}' is set by the server for each answer and cannot come from a fixture.";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t') || c > '\u007e')
            {
                return $"the value of header '{name}' holds a character HTTP headers cannot carry ({(c <= '\u00ff' ? $"0x{(int)c:X2}" : $"U+{(int)c:X4}")} at position {i}); use printable ASCII.";
            }
        }

        return null;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static string Printable(string text) => new([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
}
