using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Data;
using Switchboard.Data.Protection;
using Switchboard.Data.Usage;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Telemetry;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Dashboard;

/// <summary>
/// The dashboard: static pages embedded in this assembly at <c>/ui</c>, and its read API at <c>/ui/api</c>
/// (master key, or loopback callers when there is none). Keys, usage, cache and conversations pages call the
/// admin APIs of their own features; the session report says which of those this gateway has. A browser signs in
/// once with the master key (<c>POST /ui/api/login</c>) and then holds a session cookie, never the key
/// (<see cref="DashboardSessions"/>).
/// </summary>
public static partial class DashboardEndpoints
{
    private const int MaxPoints = 1440;
    private static readonly Assembly Assets = typeof(DashboardEndpoints).Assembly;

    // The admin APIs the pages build on, by the feature name the pages use.
    private static readonly (string Feature, string Route)[] AdminApis =
    [
        ("keys", "/admin/keys"),
        ("usage", "/admin/usage"),
        ("cache", "/admin/cache"),
        ("conversations", "/conversations"),
    ];

    /// <summary>Maps <c>/ui</c> and <c>/ui/api/*</c>.</summary>
    public static IEndpointRouteBuilder MapSwitchboardDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var access = services.GetRequiredService<AdminAccess>();
        var log = services.GetRequiredService<RequestLog>();
        var routes = services.GetRequiredService<RouteTable>();
        var time = services.GetRequiredService<TimeProvider>();
        var settings = services.GetRequiredService<TelemetrySettings>();
        var sessions = services.GetRequiredService<DashboardSessions>();
        var throttle = services.GetRequiredKeyedService<FailedKeyThrottle>(FailedKeyThrottle.SignInService);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Dashboard");

        // "/ui" and "/ui/" both match (routing ignores a trailing slash); the page links its assets absolutely.
        endpoints.MapGet("/ui/{file?}", (HttpContext http, string? file) => ServeAssetAsync(http, access, file ?? "index.html"));

        // Outside the group's check: signing in is how a browser passes it.
        endpoints.MapPost("/ui/api/login", (HttpContext http) => LoginAsync(http, access, sessions, throttle, logger));
        endpoints.MapPost("/ui/api/logout", (HttpContext http) =>
        {
            sessions.SignOut(http);
            return Results.NoContent();
        });

        var api = endpoints.MapGroup("/ui/api").AddEndpointFilter(async (context, next) =>
            access.IsAllowed(context.HttpContext) ? await next(context) : new DenyResult(access));

        api.MapGet("/session", (HttpContext http) => Results.Json(
            new SessionReport(access.RequiresKey, Features(http, settings), !access.RequiresKey ? "loopback" : http.Request.Headers.Authorization.Count > 0 ? "header" : "session"),
            DashboardJsonContext.Default.SessionReport));

        api.MapGet("/overview", (HttpContext http) =>
            TryRange(http, time, out var range, out var error)
                ? Results.Json(Overview(log, range), DashboardJsonContext.Default.OverviewReport)
                : Fail(error!));

        api.MapGet("/overview.csv", (HttpContext http) =>
            TryRange(http, time, out var range, out var error)
                ? Results.Text(OverviewCsv(Overview(log, range)), "text/csv; charset=utf-8", Encoding.UTF8)
                : Fail(error!));

        api.MapGet("/charts/{metric}.svg", (HttpContext http, string metric) =>
        {
            if (!TryRange(http, time, out var range, out var error))
            {
                return Fail(error!);
            }

            var report = Overview(log, range);
            return SvgChart.TryRender(metric, report.Series, out var svg)
                ? Results.Text(svg, "image/svg+xml; charset=utf-8", Encoding.UTF8)
                : Fail(GatewayError.NotFound($"No chart '{metric}'; try requests, errors, latency, tokens, cost or cache.", "chart_not_found"));
        });

        api.MapGet("/models", () => Results.Json(Models(routes, log), DashboardJsonContext.Default.IReadOnlyListModelReport));

        api.MapGet("/requests", (HttpContext http) =>
        {
            if (!TryFilter(http, out var filter, out var error))
            {
                return Fail(error!);
            }

            var limit = int.TryParse(http.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, 1000) : 100;
            return Results.Json(log.Recent(filter, limit), DashboardJsonContext.Default.IReadOnlyListRequestRecord);
        });

        api.MapGet("/requests/live", (HttpContext http) => TryFilter(http, out var filter, out var error)
            ? StreamLiveAsync(http, log, filter)
            : OpenAIResponseWriter.WriteErrorAsync(http.Response, error!, http.RequestAborted));

        api.MapGet("/requests/{id}", (string id) => log.Find(id) is { } record
            ? Results.Json(record, DashboardJsonContext.Default.RequestRecord)
            : Fail(GatewayError.NotFound($"No recent request '{id}' (the dashboard keeps the last {log.Capacity} requests of this process).", "request_not_found")));

        api.MapGet("/requests/{id}/messages", (HttpContext http, string id) => StoredMessagesAsync(http, access, id, logger));

        return endpoints;
    }

    private static async Task LoginAsync(HttpContext http, AdminAccess access, DashboardSessions sessions, FailedKeyThrottle throttle, ILogger logger)
    {
        if (!access.RequiresKey)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.InvalidRequest("This gateway has no master key: the dashboard is open to callers on this machine without signing in.", "key"), http.RequestAborted);
            return;
        }

        // Checked before the key: while an address is refused, even the right key is not tried for it.
        var client = http.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(client) is { } wait)
        {
            await OpenAIResponseWriter.WriteErrorAsync(
                http.Response,
                GatewayError.RateLimited(string.Create(CultureInfo.InvariantCulture, $"Too many wrong master keys from this address ({throttle.MaxFailures} within {throttle.DescribeWindow()}); try again in {Math.Ceiling(wait.TotalSeconds):0} seconds."), wait),
                http.RequestAborted);
            return;
        }

        var body = await OpenAIRequestReader.ReadAsync(http.Request, DashboardJsonContext.Default.LoginRequest, 4096, http.RequestAborted);
        if (body.Error is { } error)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
            return;
        }

        if (body.Value?.Key is not { Length: > 0 } key || !access.IsMasterKey(key.Trim()))
        {
            Log.SignInRefused(logger, client?.ToString());
            if (throttle.Failed(client))
            {
                // Once per address and window, not for every refused attempt after it.
                Log.SignInThrottled(logger, FailedKeyThrottle.Describe(client));
            }

            await OpenAIResponseWriter.WriteErrorAsync(
                http.Response,
                new GatewayError { StatusCode = 401, Type = ErrorTypes.Authentication, Code = "invalid_api_key", Message = "That is not this gateway's master key (auth.master_key).", Param = "key" },
                http.RequestAborted);
            return;
        }

        throttle.Succeeded(client);
        sessions.SignIn(http);
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task StoredMessagesAsync(HttpContext http, AdminAccess access, string id, ILogger logger)
    {
        // Loopback alone does not open people's messages: reading them takes the master key.
        if (!access.RequiresKey)
        {
            await OpenAIResponseWriter.WriteErrorAsync(
                http.Response,
                new GatewayError { StatusCode = 403, Type = ErrorTypes.Permission, Code = "forbidden", Message = "Stored messages are shown only behind a master key; set auth.master_key (or SWITCHBOARD_MASTER_KEY)." },
                http.RequestAborted);
            return;
        }

        var usage = http.RequestServices.GetRequiredService<UsageQueries>();
        var found = await usage.FindAsync(id, http.RequestAborted);
        if (found is not { } row)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.NotFound($"No usage record has the request id '{id}' (records reach the database within a second or so of the answer).", "request_not_found"), http.RequestAborted);
            return;
        }

        StoredMessagesReport report;
        if (row.Messages is null)
        {
            report = new StoredMessagesReport(id, false, "Not stored: database.store_messages was off when this request ran.", null, null);
        }
        else if (MessageProtectorFactory.Create(http.RequestServices.GetRequiredService<IOptions<DatabaseOptions>>().Value) is not { } protector)
        {
            report = new StoredMessagesReport(id, false, "Stored, but this gateway has no database.encryption_key to decrypt them with.", null, null);
        }
        else
        {
            try
            {
                var exchange = protector.Unprotect(row.Messages);
                using var messages = System.Text.Json.JsonDocument.Parse(exchange.MessagesJson);
                report = new StoredMessagesReport(id, true, null, messages.RootElement.Clone(), exchange.Answer);
                Log.MessagesRead(logger, id, http.Connection.RemoteIpAddress?.ToString());
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                report = new StoredMessagesReport(id, false, "Stored under an encryption key this gateway does not have (list it in database.previous_encryption_keys).", null, null);
            }
        }

        await OpenAIResponseWriter.WriteJsonAsync(http.Response, report, DashboardJsonContext.Default.StoredMessagesReport, http.RequestAborted);
    }

    private static Dictionary<string, bool> Features(HttpContext http, TelemetrySettings settings)
    {
        var patterns = http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => "/" + (e.RoutePattern.RawText ?? string.Empty).TrimStart('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var features = AdminApis.ToDictionary(a => a.Feature, a => patterns.Any(p => p.StartsWith(a.Route, StringComparison.OrdinalIgnoreCase)), StringComparer.Ordinal);
        features["telemetry"] = settings.Enabled;
        return features;
    }

    private static OverviewReport Overview(RequestLog log, (DateTimeOffset From, DateTimeOffset To) range)
    {
        var minutes = (int)Math.Ceiling((range.To - range.From).TotalMinutes);
        var step = Math.Max(1, (int)Math.Ceiling(minutes / 60.0));
        var series = log.Series(range.From, range.To, step);
        var totals = log.Series(range.From, range.To, int.MaxValue) is [var total, ..] ? total with { Time = range.From } : new SeriesPoint { Time = range.From };
        return new OverviewReport(range.From, range.To, step, totals, series);
    }

    private static string OverviewCsv(OverviewReport report)
    {
        var csv = new StringBuilder("time,requests,errors,p50_ms,p99_ms,input_tokens,output_tokens,cost_usd,cache_hits,cost_saved_usd\n");
        foreach (var p in report.Series)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{p.Time:yyyy-MM-ddTHH:mm:ssZ},{p.Requests},{p.Errors},{p.P50Ms},{p.P99Ms},{p.InputTokens},{p.OutputTokens},{p.CostUsd},{p.CacheHits},{p.CostSavedUsd}\n");
        }

        return csv.ToString();
    }

    private static List<ModelReport> Models(RouteTable routes, RequestLog log)
    {
        // Every recent request, not only failed ones: a call that failed and was retried or fell back elsewhere
        // still tells which upstream is failing.
        var recent = log.Recent(new RequestFilter(), log.Capacity);
        return [.. routes.Models.Select(model => new ModelReport(
            model.Name,
            model.Fallbacks,
            [.. model.Deployments.Select(d =>
            {
                var (calls, failures) = CountCalls(recent, d.Id);
                return new DeploymentReport(
                    d.Id,
                    d.ProviderName,
                    d.Provider.Type,
                    d.UpstreamModel,
                    d.Weight,
                    d.InputPerMillion,
                    d.OutputPerMillion,
                    d.Circuit.State switch { CircuitState.Closed => "closed", CircuitState.HalfOpen => "half_open", _ => "open" },
                    d.Circuit.State == CircuitState.Closed ? null : (int)Math.Ceiling(d.Circuit.RemainingCooldown.TotalSeconds),
                    calls,
                    failures,
                    [.. RecentErrors(recent, d.Id).Take(10)]);
            })]))];
    }

    private static (int Calls, int Failures) CountCalls(IReadOnlyList<RequestRecord> recent, string deployment)
    {
        int calls = 0, failures = 0;
        foreach (var record in recent)
        {
            if (record.Attempts.Count == 0)
            {
                continue;
            }

            foreach (var attempt in record.Attempts)
            {
                if (attempt.Deployment == deployment)
                {
                    calls++;
                    failures += attempt.Status >= 400 ? 1 : 0;
                }
            }
        }

        return (calls, failures);
    }

    private static IEnumerable<RecentError> RecentErrors(IReadOnlyList<RequestRecord> recent, string deployment)
    {
        foreach (var record in recent)
        {
            if (record.Attempts.Count > 0)
            {
                foreach (var attempt in record.Attempts)
                {
                    if (attempt.Deployment == deployment && attempt.Status >= 400)
                    {
                        yield return new RecentError(record.Time.AddMilliseconds(attempt.StartedMs), record.Id, attempt.Status, attempt.ErrorCode, attempt.Message ?? record.ErrorMessage);
                    }
                }
            }
            else if (record.Deployment == deployment && record.Status >= 400)
            {
                yield return new RecentError(record.Time, record.Id, record.Status, record.ErrorCode, record.ErrorMessage);
            }
        }
    }

    private static async Task StreamLiveAsync(HttpContext http, RequestLog log, RequestFilter filter)
    {
        using var subscription = log.Subscribe();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        // A comment first, so the client sees the stream open before any request arrives.
        await http.Response.WriteAsync(": live\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
        try
        {
            await foreach (var record in subscription.Reader.ReadAllAsync(http.RequestAborted))
            {
                if (!filter.Matches(record))
                {
                    continue;
                }

                var json = System.Text.Json.JsonSerializer.Serialize(record, DashboardJsonContext.Default.RequestRecord);
                await http.Response.WriteAsync("event: request\ndata: " + json + "\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The page went away.
        }
    }

    private static bool TryFilter(HttpContext http, out RequestFilter filter, out GatewayError? error)
    {
        var query = http.Request.Query;
        int? status = null;
        error = null;
        if (query["status"] is { Count: > 0 } text && text.ToString().Length > 0)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 100 or > 599)
            {
                filter = new RequestFilter();
                error = GatewayError.InvalidRequest($"status: '{text}' is not an HTTP status.", "status");
                return false;
            }

            status = value;
        }

        double? slower = null;
        if (query["slower_than_ms"] is { Count: > 0 } slowText && slowText.ToString().Length > 0)
        {
            if (!double.TryParse(slowText, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms < 0 || !double.IsFinite(ms))
            {
                filter = new RequestFilter();
                error = GatewayError.InvalidRequest($"slower_than_ms: '{slowText}' is not a number of milliseconds.", "slower_than_ms");
                return false;
            }

            slower = ms;
        }

        filter = new RequestFilter(
            Model: NullIfEmpty(query["model"]),
            Key: NullIfEmpty(query["key"]),
            Status: status,
            ErrorsOnly: string.Equals(query["errors"], "true", StringComparison.OrdinalIgnoreCase),
            SlowerThanMs: slower);
        return true;
    }

    private static bool TryRange(HttpContext http, TimeProvider time, out (DateTimeOffset From, DateTimeOffset To) range, out GatewayError? error)
    {
        var now = time.GetUtcNow();
        range = default;
        error = null;
        if (!TryTime(http, "to", now, out var to, ref error) || !TryTime(http, "from", to.AddHours(-1), out var from, ref error))
        {
            return false;
        }

        if (from >= to)
        {
            error = GatewayError.InvalidRequest("from must be before to.", "from");
            return false;
        }

        if ((to - from).TotalMinutes > MaxPoints * 31)
        {
            error = GatewayError.InvalidRequest("The range is longer than 31 days.", "from");
            return false;
        }

        range = (from, to);
        return true;
    }

    private static bool TryTime(HttpContext http, string name, DateTimeOffset fallback, out DateTimeOffset value, ref GatewayError? error)
    {
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        error = GatewayError.InvalidRequest($"{name}: '{text}' is not an ISO date or time (2026-12-01 or 2026-12-01T10:00:00Z).", name);
        return false;
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

    private static IResult Fail(GatewayError error) => new ErrorResult(error);

    private static async Task ServeAssetAsync(HttpContext http, AdminAccess access, string file)
    {
        // Without a master key the pages are for this machine only; with one, the pages hold no data (the API does).
        if (!access.RequiresKey && !access.IsAllowed(http))
        {
            await access.DenyAsync(http);
            return;
        }

        await using var stream = Assets.GetManifestResourceStream("ui/" + file);
        if (stream is null || file.Contains('/', StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = Path.GetExtension(file) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private sealed class ErrorResult(GatewayError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => OpenAIResponseWriter.WriteErrorAsync(httpContext.Response, error, httpContext.RequestAborted);
    }

    private sealed class DenyResult(AdminAccess access) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => access.DenyAsync(httpContext);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Dashboard sign-in refused (wrong master key) from {Remote}")]
        public static partial void SignInRefused(ILogger logger, string? remote);

        [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Dashboard sign-in closed to {Remote} until its window ends: too many wrong master keys")]
        public static partial void SignInThrottled(ILogger logger, string? remote);

        [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Stored messages of {RequestId} read through the dashboard from {Remote}")]
        public static partial void MessagesRead(ILogger logger, string requestId, string? remote);
    }
}
