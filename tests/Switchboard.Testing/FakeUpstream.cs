using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Switchboard.Testing;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) that plays an upstream, OpenAI-compatible or Ollama.
/// Every request is recorded in <see cref="Requests"/>, then answered by <see cref="Handler"/>; the static
/// members build the usual handlers.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app) => _app = app;

    /// <summary>Every request received, in order of arrival.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The request received last.</summary>
    public RecordedRequest Last => Requests.Last();

    /// <summary>Answers each request; gets the request body parsed as JSON (null when empty). Until set, answers 500.</summary>
    public Func<HttpContext, JsonDocument?, Task> Handler { get; set; } = (context, _) =>
    {
        context.Response.StatusCode = 500;
        return Task.CompletedTask;
    };

    /// <summary>Completed when a request's <c>RequestAborted</c> fires: the client cancelled its call.</summary>
    public TaskCompletionSource RequestAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server root without a trailing slash, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Starts a server on a free loopback port.</summary>
    /// <param name="handler">The first <see cref="Handler"/>; null answers 500 until one is set.</param>
    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, JsonDocument?, Task>? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        if (handler is not null)
        {
            upstream.Handler = handler;
        }

        app.Run(async context =>
        {
            var request = await RecordAsync(context);
            upstream.Requests.Enqueue(request);
            context.RequestAborted.Register(() => upstream.RequestAborted.TrySetResult());
            await upstream.Handler(context, request.Body);
        });
        await app.StartAsync();
        upstream.BaseUrl = app.ListeningUrl();
        return upstream;
    }

    /// <summary>A handler that answers with a JSON body, status and headers.</summary>
    public static Func<HttpContext, JsonDocument?, Task> Json(string json, int status = 200, params (string Name, string Value)[] headers) => (context, _) =>
    {
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        return context.Response.WriteJsonAsync(json, status);
    };

    /// <summary>A handler that answers with a body of any content type.</summary>
    public static Func<HttpContext, JsonDocument?, Task> Text(string body, int status, string contentType = "text/plain") => (context, _) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    };

    /// <summary>A handler that runs <paramref name="write"/>, then holds the request open until the client goes away.</summary>
    public static Func<HttpContext, JsonDocument?, Task> WriteThenHold(Func<HttpContext, Task> write) => async (context, _) =>
    {
        await write(context);
        await HoldAsync(context);
    };

    /// <summary>A handler that sets <paramref name="received"/> and never answers (until the client goes away).</summary>
    public static Func<HttpContext, JsonDocument?, Task> NeverAnswer(TaskCompletionSource received) => (context, _) =>
    {
        received.TrySetResult();
        return HoldAsync(context);
    };

    /// <summary>Stops the server, giving open requests two seconds to end.</summary>
    public ValueTask DisposeAsync() => _app.StopAndDisposeAsync();

    private static Task HoldAsync(HttpContext context) =>
        Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);

    private static async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var memory = new MemoryStream();
        await context.Request.Body.CopyToAsync(memory, context.RequestAborted);
        var bytes = memory.ToArray();
        var body = bytes.Length > 0 ? JsonDocument.Parse(bytes) : null;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body, context.Connection.Id, System.Text.Encoding.UTF8.GetString(bytes));
    }
}
