using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Providers.Tests;

/// <summary>What the fake upstream received.</summary>
internal sealed record CapturedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, JsonElement? Body, string ConnectionId);

/// <summary>
/// A real HTTP server on loopback (Kestrel, port 0) that plays an upstream: it records every request and
/// answers with the handler the test gives it.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public string Url { get; }

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    public CapturedRequest Last => Requests.Last();

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeUpstream? upstream = null;
        app.Run(async context =>
        {
            upstream!.Requests.Enqueue(await CaptureAsync(context));
            await handler(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream = new FakeUpstream(app, address.TrimEnd('/'));
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>Answers with a JSON body and status.</summary>
    public static Func<HttpContext, Task> Json(string json, int status = 200, params (string Name, string Value)[] headers) => context =>
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    };

    /// <summary>Answers with a body of any content type.</summary>
    public static Func<HttpContext, Task> Text(string body, int status, string contentType = "text/plain") => context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    };

    /// <summary>Runs <paramref name="write"/>, then holds the request open until the client goes away, which sets <paramref name="aborted"/>.</summary>
    public static Func<HttpContext, Task> WriteThenHold(Func<HttpContext, Task> write, TaskCompletionSource aborted) => async context =>
    {
        context.RequestAborted.Register(() => aborted.TrySetResult());
        await write(context);
        await HoldAsync(context);
    };

    /// <summary>Sets <paramref name="received"/> and never answers (until the client goes away).</summary>
    public static Func<HttpContext, Task> NeverAnswer(TaskCompletionSource received) => context =>
    {
        received.TrySetResult();
        return HoldAsync(context);
    };

    /// <summary>Writes one SSE event and flushes it.</summary>
    public static async Task WriteEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync("data: " + data + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes one NDJSON line and flushes it.</summary>
    public static async Task WriteLineAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync(json + "\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static Task HoldAsync(HttpContext context) =>
        Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);

    private static async Task<CapturedRequest> CaptureAsync(HttpContext context)
    {
        using var memory = new MemoryStream();
        await context.Request.Body.CopyToAsync(memory, context.RequestAborted);
        JsonElement? body = null;
        if (memory.Length > 0)
        {
            using var document = JsonDocument.Parse(memory.ToArray());
            body = document.RootElement.Clone();
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new CapturedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body, context.Connection.Id);
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
