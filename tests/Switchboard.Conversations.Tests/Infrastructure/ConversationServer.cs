using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchboard.Cli.Commands;
using Switchboard.Gateway;

namespace Switchboard.Conversations.Tests.Infrastructure;

/// <summary>
/// <c>switchboard serve</c> as the executable composes it (gateway, built-in mock provider, conversations service),
/// started on a free loopback port with a configuration written for the test.
/// </summary>
public sealed class ConversationServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConversationServer(WebApplication app, string baseUrl)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="directory">The test's folder: the configuration file is written there.</param>
    /// <param name="yaml">The configuration.</param>
    /// <param name="timeProvider">The server's clock.</param>
    public static async Task<ConversationServer> StartAsync(string directory, string yaml, TimeProvider? timeProvider = null)
    {
        var path = Path.Combine(directory, $"switchboard-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Host = "127.0.0.1",
            Port = 0,
            Environment = new Dictionary<string, string?>(),
            ConfigureServices = services =>
            {
                BuiltInProviders.Register(services);
                if (timeProvider is not null)
                {
                    services.Replace(ServiceDescriptor.Singleton(timeProvider));
                }
            },
            Features = BuiltInProviders.Features,
            ConfigureLogging = logging => logging.SetMinimumLevel(LogLevel.Warning),
        });
        await app.StartAsync();
        return new ConversationServer(app, app.ListeningUrl());
    }

    /// <summary>Posts to <c>/chat</c> and returns the status and the parsed body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> ChatAsync(object body, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("/chat", body, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    /// <summary>Posts raw text to <c>/chat</c>.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> ChatRawAsync(string json, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/chat", content, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    /// <summary>Posts to <c>/chat</c> with <paramref name="key"/> as the bearer token.</summary>
    public Task<(System.Net.HttpStatusCode Status, JsonElement Body)> ChatAsAsync(string key, object body, CancellationToken cancellationToken = default) =>
        SendAsAsync(key, HttpMethod.Post, "/chat", body, cancellationToken);

    /// <summary>Sends a request with <paramref name="key"/> as the bearer token.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> SendAsAsync(string key, HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    /// <summary>Creates a virtual key through <c>POST /admin/keys</c> with the master key; returns (id, key).</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(string masterKey, object body, CancellationToken cancellationToken = default)
    {
        var (status, created) = await SendAsAsync(masterKey, HttpMethod.Post, "/admin/keys", body, cancellationToken);
        if (status != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /admin/keys answered {(int)status}: {created}");
        }

        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    /// <summary>Posts with <c>stream: true</c> and returns the status, the parsed events (without <c>[DONE]</c>) and whether <c>[DONE]</c> came.</summary>
    public async Task<(System.Net.HttpStatusCode Status, IReadOnlyList<JsonElement> Events, bool Done, string ContentType)> StreamAsync(object body, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("/chat", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var events = new List<JsonElement>();
        var done = false;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line[6..];
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }

            events.Add(JsonDocument.Parse(data).RootElement.Clone());
        }

        if (events.Count == 0 && !done && text.Length > 0)
        {
            events.Add(JsonDocument.Parse(text).RootElement.Clone());
        }

        return (response.StatusCode, events, done, response.Content.Headers.ContentType?.MediaType ?? string.Empty);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAndDisposeAsync();
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
