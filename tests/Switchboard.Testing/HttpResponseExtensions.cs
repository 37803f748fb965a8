using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing;

/// <summary>
/// Writes an upstream's answers in its wire framings: server-sent events (OpenAI streams), NDJSON lines
/// (Ollama streams) and JSON bodies. Each write stops when the client goes away.
/// </summary>
public static class HttpResponseExtensions
{
    /// <summary>Writes one server-sent event, <c>data: …</c> and a blank line, and flushes it.</summary>
    public static async Task WriteEventAsync(this HttpResponse response, string data)
    {
        var aborted = response.HttpContext.RequestAborted;
        await response.WriteAsync("data: " + data + "\n\n", aborted);
        await response.Body.FlushAsync(aborted);
    }

    /// <summary>Writes one NDJSON line and flushes it.</summary>
    public static async Task WriteLineAsync(this HttpResponse response, string json)
    {
        var aborted = response.HttpContext.RequestAborted;
        await response.WriteAsync(json + "\n", aborted);
        await response.Body.FlushAsync(aborted);
    }

    /// <summary>Answers with a JSON body and status.</summary>
    public static Task WriteJsonAsync(this HttpResponse response, string json, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(json, response.HttpContext.RequestAborted);
    }
}
