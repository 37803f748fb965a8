using System.Diagnostics;

namespace Switchboard.Providers;

/// <summary>
/// Sends the W3C trace context of the current span (the gateway's upstream-attempt span) with each upstream call.
/// The provider clients' <see cref="SocketsHttpHandler"/> has its own propagation switched off: it would start a
/// span of its own (<c>System.Net.Http.HttpRequestOut</c>) and send that as the parent, and the gateway does not
/// export it, so the upstream's spans would hang off a span no trace backend has.
/// </summary>
internal sealed class TraceContextHandler : DelegatingHandler
{
    public TraceContextHandler()
    {
    }

    public TraceContextHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Inject(request);
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Inject(request);
        return base.Send(request, cancellationToken);
    }

    private static void Inject(HttpRequestMessage request)
    {
        if (Activity.Current is not { } activity || request.Headers.Contains("traceparent"))
        {
            return;
        }

        DistributedContextPropagator.Current.Inject(activity, request, static (carrier, name, value) =>
        {
            var headers = ((HttpRequestMessage)carrier!).Headers;
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        });
    }
}
