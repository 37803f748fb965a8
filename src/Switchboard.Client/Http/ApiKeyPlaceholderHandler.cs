namespace Switchboard.Client.Http;

/// <summary>
/// The OpenAI SDK insists on an API key; without one configured the client gives it <see cref="Placeholder"/>, and
/// this handler takes the resulting header off again so keyless servers see no <c>Authorization</c> at all.
/// </summary>
internal sealed class ApiKeyPlaceholderHandler : DelegatingHandler
{
    public const string Placeholder = "switchboard-client-no-key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization?.Parameter == Placeholder)
        {
            request.Headers.Authorization = null;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
