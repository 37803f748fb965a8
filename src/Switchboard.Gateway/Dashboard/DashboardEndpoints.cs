using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Errors;
using Switchboard.Gateway.Routing;
using Switchboard.Gateway.Telemetry;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Dashboard;

/// <summary>
/// The dashboard: static pages embedded in this assembly at <c>/ui</c>, and its read API at <c>/ui/api</c>
/// (master key, or loopback callers when there is none). Keys, usage, cache and conversations pages call the
/// admin APIs of their own features; the session report says which of those this gateway has.
/// </summary>
public static class DashboardEndpoints
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

        // "/ui" and "/ui/" both match (routing ignores a trailing slash); the page links its assets absolutely.
        endpoints.MapGet("/ui/{file?}", (HttpContext http, string? file) => ServeAssetAsync(http, access, file ?? "index.html"));

        var api = endpoints.MapGroup("/ui/api").AddEndpointFilter(async (context, next) =>
            access.IsAllowed(context.HttpContext) ? await next(context) : new DenyResult(access));

        api.MapGet("/session", (HttpContext http) => Results.Json(
            new SessionReport(access.RequiresKey, Features(http, settings)), DashboardJsonContext.Default.SessionReport));

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

        return endpoints;
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
        var recent = log.Recent(new RequestFilter(ErrorsOnly: true), 1000);
        return [.. routes.Models.Select(model => new ModelReport(
            model.Name,
            model.Fallbacks,
            [.. model.Deployments.Select(d => new DeploymentReport(
                d.Id,
                d.ProviderName,
                d.Provider.Type,
                d.UpstreamModel,
                d.Weight,
                d.InputPerMillion,
                d.OutputPerMillion,
                d.Circuit.State switch { CircuitState.Closed => "closed", CircuitState.HalfOpen => "half_open", _ => "open" },
                d.Circuit.State == CircuitState.Closed ? null : (int)Math.Ceiling(d.Circuit.RemainingCooldown.TotalSeconds),
                [.. RecentErrors(recent, d.Id).Take(10)]))]))];
    }

    private static IEnumerable<RecentError> RecentErrors(IReadOnlyList<RequestRecord> failed, string deployment)
    {
        foreach (var record in failed)
        {
            var attempts = record.Attempts.Where(a => a.Deployment == deployment && a.Status >= 400).ToList();
            if (attempts.Count > 0)
            {
                foreach (var attempt in attempts)
                {
                    yield return new RecentError(record.Time.AddMilliseconds(attempt.StartedMs), record.Id, attempt.Status, attempt.ErrorCode, record.ErrorMessage);
                }
            }
            else if (record.Deployment == deployment)
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

        filter = new RequestFilter(
            Model: NullIfEmpty(query["model"]),
            Key: NullIfEmpty(query["key"]),
            Status: status,
            ErrorsOnly: string.Equals(query["errors"], "true", StringComparison.OrdinalIgnoreCase));
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
}
