using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Server;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Testing;

/// <summary>
/// The mock LLM running inside a test on a free loopback port:
/// <code>
/// await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("hi", f => f.WhenLastUser("hi").RespondWith("hello")));
/// var client = new ChatClient("gpt-4o", new ApiKeyCredential("test"), new OpenAIClientOptions { Endpoint = mock.OpenAIEndpoint });
/// </code>
/// </summary>
public sealed class MockLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MockLlmServer(WebApplication app)
    {
        _app = app;
        BaseUrl = MockServerHost.GetBaseAddress(app);
        Engine = app.Services.GetRequiredService<MockEngine>();
        Journal = new MockJournal(app.Services.GetRequiredService<RequestJournal>());
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The OpenAI API root (<c>…/v1/</c>), for an SDK's endpoint or <c>OPENAI_BASE_URL</c>.</summary>
    public Uri OpenAIEndpoint => new(BaseUrl, "v1/");

    /// <summary>The engine: fixtures in force, scenario states, matching without a request.</summary>
    public MockEngine Engine { get; }

    /// <summary>The requests received, with the fixture that answered each or its near misses.</summary>
    public MockJournal Journal { get; }

    /// <summary>The file watcher when the server serves files; <see cref="FixtureWatcher.Reloaded"/> tells when a change took effect.</summary>
    public FixtureWatcher? Watcher => _app.Services.GetService<FixtureWatcher>();

    /// <summary>Services of the server (for advanced tests).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<MockLlmServer> StartAsync(Action<MockLlmServerBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = new MockLlmServerBuilder();
        configure?.Invoke(builder);
        var app = MockServerHost.Build(builder.Build(), builder.Logging ?? (logging => logging.SetMinimumLevel(LogLevel.None)));
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new MockLlmServer(app);
    }

    /// <summary>
    /// A handler that sends every request to this mock whatever host it names, keeping path and query: give it
    /// to the app's <see cref="HttpClient"/> so its calls to <c>https://api.openai.com/v1</c> reach the mock.
    /// </summary>
    public HttpMessageHandler CreateHandler() => new RedirectingHandler(BaseUrl);

    /// <summary>An <see cref="HttpClient"/> whose base address is this mock.</summary>
    public HttpClient CreateClient() => new(CreateHandler()) { BaseAddress = BaseUrl };

    /// <summary>Adds fixtures while the server runs.</summary>
    public IReadOnlyList<Fixture> Add(params Fixture[] fixtures) => Engine.Add(fixtures);

    /// <summary>Adds a fixture built in code while the server runs.</summary>
    public Fixture Add(string name, Action<FixtureBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new FixtureBuilder(name);
        configure(builder);
        return Engine.Add([builder.Build()])[0];
    }

    /// <summary>Forgets requests, sequences, scenarios and fixtures added at run time.</summary>
    public void Reset()
    {
        Engine.ClearRuntime();
        Engine.ResetState();
        Journal.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class RedirectingHandler(Uri target) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri)
            {
                var path = uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;
                request.RequestUri = new Uri(target, path);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
