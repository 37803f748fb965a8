using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Data.Keys;
using Switchboard.Data.Usage;
using Switchboard.Errors;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Caching;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Admin;

/// <summary>
/// <c>/admin/keys</c> (list, create, revoke) and <c>/admin/usage</c> (totals, CSV export): the CLI's <c>keys</c>
/// commands over HTTP; and <c>/admin/cache</c> when a cache is on (<see cref="CacheAdminEndpoints"/>). Only the master
/// key opens them, and without one configured they are closed.
/// </summary>
public sealed class AdminEndpoints
{
    private readonly KeyAuthenticator _auth;
    private readonly KeyStore _keys;
    private readonly UsageQueries _usage;
    private readonly TimeProvider _time;

    private AdminEndpoints(IServiceProvider services)
    {
        _auth = services.GetRequiredService<KeyAuthenticator>();
        _keys = services.GetRequiredService<KeyStore>();
        _usage = services.GetRequiredService<UsageQueries>();
        _time = services.GetRequiredService<TimeProvider>();
    }

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = new AdminEndpoints(endpoints.ServiceProvider);
        var group = endpoints.MapGroup("/admin");
        group.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Request.Headers;
            var key = KeyAuthenticator.ExtractKey(headers.Authorization, headers["api-key"]);
            if (!admin._auth.IsMasterKey(key))
            {
                await OpenAIResponseWriter.WriteErrorAsync(context.HttpContext.Response, AuthErrors.AdminOnly, context.HttpContext.RequestAborted);
                return null;
            }

            return await next(context);
        });
        group.MapGet("/keys", admin.ListKeysAsync);
        group.MapPost("/keys", admin.CreateKeyAsync);
        group.MapDelete("/keys/{idOrPrefix}", admin.RevokeKeyAsync);
        group.MapPost("/keys/{idOrPrefix}/revoke", admin.RevokeKeyAsync);
        group.MapGet("/usage", admin.UsageAsync);
        group.MapGet("/usage/export", admin.ExportAsync);
        CacheAdminEndpoints.Map(group);
        return endpoints;
    }

    private async Task ListKeysAsync(HttpContext http)
    {
        var includeRevoked = http.Request.Query["include_revoked"] is [var flag] && bool.TryParse(flag, out var yes) && yes;
        var keys = await _keys.ListAsync(includeRevoked, http.RequestAborted);
        await OpenAIResponseWriter.WriteJsonAsync(http.Response, new KeyList([.. keys.Select(k => KeyView.From(k))]), AdminJsonContext.Default.KeyList, http.RequestAborted);
    }

    private async Task CreateKeyAsync(HttpContext http)
    {
        var body = await OpenAIRequestReader.ReadAsync(http.Request, AdminJsonContext.Default.CreateKeyRequest, 1024 * 1024, http.RequestAborted);
        if (body.Error is { } readError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, readError, http.RequestAborted);
            return;
        }

        var request = body.Value!;
        var now = _time.GetUtcNow();
        var spec = new KeySpec
        {
            Name = request.Name ?? string.Empty,
            User = request.User,
            Team = request.Team,
            AllowedModels = request.Models ?? [],
            Rpm = request.Rpm,
            Tpm = request.Tpm,
            BudgetDailyUsd = request.BudgetDailyUsd,
            BudgetMonthlyUsd = request.BudgetMonthlyUsd,
            BudgetTotalUsd = request.BudgetTotalUsd,
            Metadata = request.Metadata,
        };
        var problems = new List<string>();
        foreach (var budget in request.Budget ?? [])
        {
            if (KeySpecParser.ApplyBudget(ref spec, budget) is { } problem)
            {
                problems.Add("budget: " + problem);
            }
        }

        if (request.Expires is { } expires)
        {
            spec = spec with { ExpiresAt = KeySpecParser.ParseExpiry(expires, now, out var problem) };
            if (problem is not null)
            {
                problems.Add("expires: " + problem);
            }
        }

        problems.AddRange(KeySpecParser.Validate(spec, now));
        if (problems.Count > 0)
        {
            var param = problems[0].Split(':', 2)[0];
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.InvalidRequest(string.Join(" ", problems), param, ErrorCodes.InvalidValue), http.RequestAborted);
            return;
        }

        var created = await _keys.CreateAsync(spec, http.RequestAborted);
        http.Response.StatusCode = StatusCodes.Status201Created;
        await OpenAIResponseWriter.WriteJsonAsync(http.Response, KeyView.From(created.Info, created.Secret), AdminJsonContext.Default.KeyView, http.RequestAborted);
    }

    private async Task RevokeKeyAsync(HttpContext http, string idOrPrefix)
    {
        var (outcome, key) = await _keys.RevokeAsync(idOrPrefix, http.RequestAborted);
        switch (outcome)
        {
            case RevokeOutcome.Revoked or RevokeOutcome.AlreadyRevoked:
                // This replica forgets at once; the others within auth.key_cache_ttl.
                _auth.Invalidate();
                await OpenAIResponseWriter.WriteJsonAsync(http.Response, KeyView.From(key!), AdminJsonContext.Default.KeyView, http.RequestAborted);
                break;
            case RevokeOutcome.Ambiguous:
                await OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.InvalidRequest($"'{idOrPrefix}' is the prefix of more than one key; give the key's id.", "id", ErrorCodes.InvalidValue), http.RequestAborted);
                break;
            default:
                await OpenAIResponseWriter.WriteErrorAsync(http.Response, GatewayError.NotFound($"No key has the id or prefix '{idOrPrefix}'.", ErrorCodes.NotFound), http.RequestAborted);
                break;
        }
    }

    private async Task UsageAsync(HttpContext http)
    {
        if (!TryReadRange(http, out var from, out var to, out var error) || !TryReadGrouping(http, out var grouping, out var names, out error))
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error!, http.RequestAborted);
            return;
        }

        var totals = await _usage.GetTotalsAsync(from, to, grouping, http.RequestAborted);
        await OpenAIResponseWriter.WriteJsonAsync(
            http.Response,
            new UsageReport { From = from, To = to, GroupBy = names, Data = totals },
            AdminJsonContext.Default.UsageReport,
            http.RequestAborted);
    }

    private async Task ExportAsync(HttpContext http)
    {
        if (!TryReadRange(http, out var from, out var to, out var error))
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error!, http.RequestAborted);
            return;
        }

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"switchboard-usage.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await _usage.ExportCsvAsync(from, to, writer, http.RequestAborted);
    }

    private static bool TryReadRange(HttpContext http, out DateTimeOffset? from, out DateTimeOffset? to, out GatewayError? error)
    {
        from = to = null;
        error = null;
        foreach (var name in new[] { "from", "to" })
        {
            if (http.Request.Query[name] is not [{ Length: > 0 } text])
            {
                continue;
            }

            // A bare date means the start of that UTC day.
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                error = GatewayError.InvalidRequest($"'{text}' is not a date or time; write 2026-12-01 or 2026-12-01T08:00:00Z.", name, ErrorCodes.InvalidValue);
                return false;
            }

            if (name == "from")
            {
                from = value;
            }
            else
            {
                to = value;
            }
        }

        return true;
    }

    private static bool TryReadGrouping(HttpContext http, out UsageGrouping grouping, out IReadOnlyList<string> names, out GatewayError? error)
    {
        grouping = UsageGrouping.None;
        error = null;
        var list = new List<string>();
        foreach (var value in http.Request.Query["group_by"])
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var flag = part.ToLowerInvariant() switch
                {
                    "key" => UsageGrouping.Key,
                    "user" => UsageGrouping.User,
                    "team" => UsageGrouping.Team,
                    "end_user" => UsageGrouping.EndUser,
                    "model" => UsageGrouping.Model,
                    "day" => UsageGrouping.Day,
                    _ => UsageGrouping.None,
                };
                if (flag == UsageGrouping.None)
                {
                    names = list;
                    error = GatewayError.InvalidRequest($"'{part}' is not a grouping; use key, user, team, end_user, model or day.", "group_by", ErrorCodes.InvalidValue);
                    return false;
                }

                grouping |= flag;
                list.Add(part.ToLowerInvariant());
            }
        }

        names = list;
        return true;
    }
}
