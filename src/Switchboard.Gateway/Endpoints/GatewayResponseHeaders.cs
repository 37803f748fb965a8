using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchboard.Gateway.Limits;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Endpoints;

/// <summary>
/// The headers that tell a client what the gateway did with its request (<c>x-switchboard-*</c>, <c>x-request-id</c>,
/// then a stage's own such as <c>x-ratelimit-*</c>), written from the context. Shared by the OpenAI endpoints and the
/// endpoints of features that call the pipeline in-process.
/// </summary>
public static class GatewayResponseHeaders
{
    /// <summary>Writes the headers of <paramref name="context"/> onto <paramref name="response"/> (before its body starts).</summary>
    public static void Write(HttpResponse response, GatewayContext context)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(context);
        var headers = response.Headers;
        headers[GatewayHeaders.RequestId] = context.RequestId;
        if (context.Operation == GatewayOperations.Chat || context.Cache.Outcome != CacheOutcome.Bypass)
        {
            headers[GatewayHeaders.Cache] = context.Cache.HeaderValue;
        }

        if (context.Cache.Similarity is { } similarity)
        {
            headers[GatewayHeaders.CacheSimilarity] = similarity.ToString("0.0000", CultureInfo.InvariantCulture);
        }

        if (context.Attempts is { } attempts)
        {
            headers[GatewayHeaders.Attempts] = attempts.ToString(CultureInfo.InvariantCulture);
        }

        if (context.Deployment is { } deployment)
        {
            headers[GatewayHeaders.Provider] = deployment.ProviderName;
            headers[GatewayHeaders.Model] = deployment.UpstreamModel;
        }

        if (context.RateLimit is { } admission)
        {
            RateLimitHeaders.Write(admission, headers);
        }

        if (context.HasResponseHeaders)
        {
            foreach (var (name, value) in context.ResponseHeaders)
            {
                headers[name] = value;
            }
        }
    }

    /// <summary>The client's own <c>x-request-id</c> when it sent a sensible one (so logs on both sides line up), else the host's trace id.</summary>
    public static string RequestId(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var sent = http.Request.Headers[GatewayHeaders.RequestId];
        return sent.Count == 1 && sent[0] is { Length: > 0 and <= 128 } id && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? id
            : http.TraceIdentifier;
    }
}
