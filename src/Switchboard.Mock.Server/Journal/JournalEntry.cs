using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Mock.Server.Journal;

/// <summary>One request the mock received, how it matched and what it answered.</summary>
public sealed record JournalEntry
{
    // The body and the last user message are kept as received and worked out when someone reads them: the
    // journal is written on every request and read rarely. The bytes are the request's own array (an entry handed to
    // the caller of Add or to Added) or a copy in the journal's ring (an entry the journal keeps).
    private StrongBox<JsonElement>? _body;
    private byte[]? _rawBody;
    private JournalBody? _keptBody;
    private string? _lastUserMessage;
    private Func<string>? _lastUserMessageSource;
    private Func<byte[], string>? _lastUserMessageReader;
    private string? _fixtureSource;
    private Fixtures.FixtureSource? _origin;
    private long _sequence;

    /// <summary>1 for the first request since start or the last reset.</summary>
    public long Sequence
    {
        get => _sequence;
        init => _sequence = value;
    }

    public DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public string? Model { get; init; }

    public string? LastUserMessage
    {
        get => _lastUserMessage ??= _lastUserMessageSource is { } source ? source()
            : _lastUserMessageReader is { } reader && RawBytes() is { } raw ? reader(raw) : null;
        init => _lastUserMessage = value;
    }

    /// <summary>Where <see cref="LastUserMessage"/> comes from when it is first read (it is normalized then, not on the request path).</summary>
    internal Func<string>? LastUserMessageSource
    {
        init => _lastUserMessageSource = value;
    }

    /// <summary>
    /// Reads <see cref="LastUserMessage"/> from the body's bytes when it is first read (and no <see cref="LastUserMessageSource"/>
    /// is given): a function of the bytes alone, so that the entry keeps no reference to the request's array but its own.
    /// </summary>
    internal Func<byte[], string>? LastUserMessageReader
    {
        init => _lastUserMessageReader = value;
    }

    public bool Stream { get; init; }

    /// <summary><c>matched</c>, <c>miss</c>, <c>ambiguous</c>, <c>echo</c>, <c>recorded</c> or <c>invalid</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>The HTTP status answered; 0 when the connection was dropped on purpose.</summary>
    public int Status { get; init; }

    public string? FixtureId { get; init; }

    public string? FixtureName { get; init; }

    /// <summary>Where the answering fixture is defined (<c>file:line</c>).</summary>
    public string? FixtureSource
    {
        get => _fixtureSource ??= _origin?.ToString();
        init => _fixtureSource = value;
    }

    /// <summary>The answering fixture's source, written out into <see cref="FixtureSource"/> when that is first read.</summary>
    internal Fixtures.FixtureSource? Origin
    {
        init => _origin = value;
    }

    /// <summary>Which response of the fixture's sequence answered (0-based).</summary>
    public int? Turn { get; init; }

    /// <summary>For a miss, the closest fixtures and what differs.</summary>
    public IReadOnlyList<JournalNearMiss> NearMisses { get; init; } = [];

    /// <summary>Other fixtures that matched as well as the winner.</summary>
    public IReadOnlyList<string> Ties { get; init; } = [];

    /// <summary>The error message answered, if any.</summary>
    public string? Error { get; init; }

    /// <summary>The request body as received; null when it was larger than the journal keeps (see <see cref="BodyTruncated"/>).</summary>
    public JsonElement? Body
    {
        get
        {
            if (_body is null && RawBytes() is { Length: > 0 } raw)
            {
                using var document = JsonDocument.Parse(raw);
                _body = new StrongBox<JsonElement>(document.RootElement.Clone());
            }

            return _body?.Value;
        }

        init => _body = value is { } element ? new StrongBox<JsonElement>(element) : null;
    }

    /// <summary>The request body's bytes as received, parsed into <see cref="Body"/> when that is first read; the array is not changed afterwards.</summary>
    internal byte[]? RawBody
    {
        get => _rawBody;
        init => _rawBody = value;
    }

    /// <summary>The body's bytes when the journal keeps them in its ring (then <see cref="RawBody"/> is null).</summary>
    internal JournalBody? KeptBody
    {
        get => _keptBody;
        init => _keptBody = value;
    }

    /// <summary>The size of the request body as received, in bytes.</summary>
    public long BodyBytes { get; init; }

    /// <summary>True when the body was larger than <see cref="MockServerOptions.JournalMaxBodyBytes"/> and so not kept.</summary>
    public bool BodyTruncated { get; init; }

    /// <summary>True when a fixture answered.</summary>
    public bool IsMatch => Outcome is "matched" or "ambiguous" && FixtureId is not null;

    /// <summary>
    /// Numbers an entry the journal keeps and says where its body is: what <c>with</c> would copy, set in place, for an
    /// entry made for the journal alone (<see cref="RequestJournal"/>'s internal Append) that nobody else holds.
    /// </summary>
    internal void Keep(long sequence, byte[]? rawBody, JournalBody? keptBody)
    {
        _sequence = sequence;
        _rawBody = rawBody;
        _keptBody = keptBody;
    }

    private byte[]? RawBytes() => _keptBody is { } kept ? kept.ToArray() : _rawBody;
}
