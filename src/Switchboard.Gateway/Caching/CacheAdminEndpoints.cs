using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Caching;
using Switchboard.Errors;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// <c>GET /admin/cache</c> (what each cache holds, hit rates since start) and <c>DELETE /admin/cache</c> (purge by
/// <c>?namespace=</c>, <c>?model=</c>, both, or everything without either), over the same <see cref="ResponseCache"/>
/// the stages use. A purge reaches the shared stores, so every replica stops serving the entries. Only the master key
/// opens them, as the rest of the admin API.
/// </summary>
public static class CacheAdminEndpoints
{
    /// <summary>The longest filter value accepted (namespaces are at most a partition plus 64 characters).</summary>
    private const int MaxFilterLength = 256;

    /// <summary>
    /// Maps <c>/cache</c> on <paramref name="admin"/>, the <c>/admin</c> group of <see cref="Admin.AdminEndpoints"/> and its
    /// master-key check, when a cache is on (so the dashboard's cache page says "not enabled" otherwise).
    /// </summary>
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var cache = admin.ServiceProvider.GetRequiredService<ResponseCache>();
        if (!cache.Enabled)
        {
            return admin;
        }

        admin.MapGet("/cache", async (HttpContext http) =>
        {
            var report = await cache.ReportAsync(http.RequestAborted);
            await OpenAIResponseWriter.WriteJsonAsync(http.Response, report, CacheJsonContext.Default.CacheReport, http.RequestAborted);
        });
        admin.MapDelete("/cache", async (HttpContext http) =>
        {
            var query = http.Request.Query;
            var cacheNamespace = Single(query, "namespace");
            var model = Single(query, "model");
            if (cacheNamespace is { Length: 0 or > MaxFilterLength } || model is { Length: 0 or > MaxFilterLength })
            {
                var param = cacheNamespace is { Length: 0 or > MaxFilterLength } ? "namespace" : "model";
                await OpenAIResponseWriter.WriteErrorAsync(
                    http.Response,
                    GatewayError.InvalidRequest($"'{param}' must be 1 to {MaxFilterLength} characters; leave it out to purge every {param}.", param, ErrorCodes.InvalidValue),
                    http.RequestAborted);
                return;
            }

            var purged = await cache.PurgeAsync(new CachePurge(cacheNamespace, model), http.RequestAborted);
            await OpenAIResponseWriter.WriteJsonAsync(http.Response, purged, CacheJsonContext.Default.CachePurgeReport, http.RequestAborted);
        });
        return admin;
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.ToString() : null;
}
