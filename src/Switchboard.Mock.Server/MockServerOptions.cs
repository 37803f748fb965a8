using Switchboard.Hosting.Http;
using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Server;

/// <summary>The settings of <c>switchboard mock</c>; every CLI option has a property here.</summary>
public sealed record MockServerOptions
{
    /// <summary>The default port, as in the CLI.</summary>
    public const int DefaultPort = 8080;

    /// <summary>A fixture file or folder (<c>--fixtures</c>); null to start with the fixtures given in code, or with the echo model when there are none.</summary>
    public string? FixturesPath { get; init; }

    /// <summary>The address to listen on (<c>--host</c>): an IP, <c>localhost</c>, or <c>0.0.0.0</c>/<c>*</c> for every interface.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port (<c>--port</c>); 0 picks a free one (read it from <see cref="MockServerHost.GetBaseAddress"/>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Reload fixture files when they change (<c>--watch</c>).</summary>
    public bool Watch { get; init; }

    /// <summary>Reject requests that two fixtures match equally well (<c>--strict</c>).</summary>
    public bool Strict { get; init; }

    /// <summary>
    /// The token the admin API (<c>/__admin</c>) asks for (<c>--admin-token</c>, or the environment variable
    /// <c>SWITCHBOARD_ADMIN_TOKEN</c>), as <c>Authorization: Bearer TOKEN</c> or <c>X-Admin-Token: TOKEN</c>. Required
    /// when the server listens on anything but loopback: the admin API can change every answer.
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>Record mode (<c>--record-to</c>): the folder recorded fixtures are written to; needs <see cref="Upstream"/>.</summary>
    public string? RecordTo { get; init; }

    /// <summary>Record mode (<c>--upstream</c>): the API root requests without a fixture are sent to, e.g. <c>https://api.openai.com/v1</c>.</summary>
    public string? Upstream { get; init; }

    /// <summary>Record mode: the key for the upstream, sent instead of the client's <c>Authorization</c> (which is forwarded only without this key); never written to fixtures.</summary>
    public string? UpstreamApiKey { get; init; }

    /// <summary>Record mode: how long to wait for the upstream's answer; a call that takes longer is answered 504. Default 5 minutes.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Fixtures given in code (the test helper); they come after file fixtures and survive a reset.</summary>
    public IReadOnlyList<Fixture> Fixtures { get; init; } = [];

    /// <summary>How many requests the journal keeps (oldest dropped first).</summary>
    public int JournalCapacity { get; init; } = 1000;

    /// <summary>
    /// How many bytes of request bodies the journal keeps in all (oldest entries dropped first), so that
    /// <see cref="JournalCapacity"/> large requests cannot fill the memory. Default 64 MB.
    /// </summary>
    public long JournalMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A request body larger than this is not kept in the journal (the entry says so and gives its size). Default 256 KB.</summary>
    public long JournalMaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>The most client connections open at once (<c>--max-connections</c>); null derives it from the open-file limit (see <c>ConnectionLimits</c>).</summary>
    public long? MaxConnections { get; init; }

    /// <summary>
    /// How many requests a second are logged one by one (Information, or Warning for a miss); past that, one line a
    /// second says how many more there were. Default 100; <see cref="int.MaxValue"/> logs every request.
    /// </summary>
    public int RequestLogLinesPerSecond { get; init; } = 100;

    /// <summary>
    /// Handle each request on the socket thread that read it instead of handing it to the thread pool (Kestrel's
    /// <c>UnsafePreferInlineScheduling</c>; the CLI's <c>--inline-io</c>, on by default there). The mock's work per
    /// request is a few microseconds of CPU that never blocks, so the hand-over (a thread woken, a context switch) costs
    /// more than the work; a handler that blocked would stall every connection of its socket thread. Off by default
    /// in process, where the tests' own code shares the threads.
    /// </summary>
    public bool InlineScheduling { get; init; }

    /// <summary>The largest request body accepted.</summary>
    public long MaxBodyBytes { get; init; } = OpenAIRequestReader.DefaultMaxBodyBytes;

    /// <summary>The clock for delays and stream pacing; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>The problems of these settings, each naming the option; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"--port must be between 0 and 65535, got {Port}.");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            problems.Add("--host must not be empty.");
        }
        else if (ListenAddress.TryParse(Host, out _) is { IsLoopback: false } && string.IsNullOrEmpty(AdminToken))
        {
            problems.Add($"--admin-token (or SWITCHBOARD_ADMIN_TOKEN) is required when listening on {Host}: the admin API can change every answer, and anyone who reaches the port could use it.");
        }

        if (Watch && FixturesPath is null)
        {
            problems.Add("--watch needs --fixtures.");
        }

        if (RecordTo is not null && Upstream is null)
        {
            problems.Add("--record-to needs --upstream (the API to record from).");
        }

        if (Upstream is not null && RecordTo is null)
        {
            problems.Add("--upstream needs --record-to (the folder to write recorded fixtures to).");
        }

        if (Upstream is not null && (!Uri.TryCreate(Upstream, UriKind.Absolute, out var upstream) || upstream.Scheme is not ("http" or "https")))
        {
            problems.Add($"--upstream must be an http(s) URL such as https://api.openai.com/v1, got '{Upstream}'.");
        }

        if (UpstreamTimeout <= TimeSpan.Zero && UpstreamTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add("The upstream timeout must be positive.");
        }

        if (MaxConnections is < 1)
        {
            problems.Add($"--max-connections must be at least 1, got {MaxConnections}.");
        }

        if (JournalCapacity < 0)
        {
            problems.Add("The journal capacity must be at least 0.");
        }

        if (RequestLogLinesPerSecond < 0)
        {
            problems.Add("The number of request log lines per second must be at least 0.");
        }

        if (JournalMaxBytes < 0 || JournalMaxBodyBytes < 0)
        {
            problems.Add("The journal's byte limits must be at least 0.");
        }

        return problems;
    }
}
