using System.Text;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// For routing tests: two real upstream servers on loopback, one that always fails with 500 and one that
/// answers, so a test can see which of them the gateway asked.
/// </summary>
public abstract class BrokenAndHealthyUpstreams : IAsyncLifetime
{
    /// <summary>Answers every request with 500 until a test gives it another handler.</summary>
    protected FakeUpstream Broken { get; private set; } = null!;

    /// <summary>Answers every chat request with "from backup".</summary>
    protected FakeUpstream Healthy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Broken = await FakeUpstream.StartAsync();
        Broken.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, "{\"error\":{\"message\":\"down\"}}", 500);
        Healthy = await FakeUpstream.StartAsync();
        Healthy.Handler = (context, _) => OpenAIUpstreamResponses.WriteJsonAsync(context.Response, OpenAIUpstreamResponses.Completion("backup-model", "from backup"));
    }

    public async ValueTask DisposeAsync()
    {
        await Broken.DisposeAsync();
        await Healthy.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A small chat request for <paramref name="model"/>.</summary>
    protected static Task<HttpResponseMessage> PostAsync(TestGateway gateway, string model) => gateway.Http.PostAsync(
        "/v1/chat/completions",
        new StringContent($"{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}", Encoding.UTF8, "application/json"),
        TestContext.Current.CancellationToken);
}
