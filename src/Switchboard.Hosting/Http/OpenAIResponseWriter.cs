using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Hosting.Http;

/// <summary>Writes pipeline results as the OpenAI API does: JSON bodies, error objects and SSE chunk streams.</summary>
public static class OpenAIResponseWriter
{
    /// <summary>The most a stream buffers before it sends, when events arrive faster than they can be sent.</summary>
    public const int MaxUnflushedBytes = 16 * 1024;

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;
    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;
    private static ReadOnlySpan<byte> DoneEvent => "data: [DONE]\n\n"u8;

    /// <summary>Writes <paramref name="value"/> as a JSON body.</summary>
    public static Task WriteJsonAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.WriteAsJsonAsync(value, typeInfo, "application/json", cancellationToken);
    }

    /// <summary>Writes a JSON body that is already bytes (an upstream's answer, forwarded as it came).</summary>
    public static async Task WriteJsonAsync(HttpResponse response, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = "application/json";
        response.ContentLength = utf8Json.Length;
        await response.BodyWriter.WriteAsync(utf8Json, cancellationToken);
    }

    /// <summary>
    /// Writes an answer: the upstream's bytes as they came when there are any (<paramref name="forwarded"/>),
    /// else <paramref name="value"/> serialized.
    /// </summary>
    public static Task WriteJsonAsync<T>(HttpResponse response, ReadOnlyMemory<byte> forwarded, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        forwarded.IsEmpty
            ? WriteJsonAsync(response, value, typeInfo, cancellationToken)
            : WriteJsonAsync(response, forwarded, cancellationToken);

    /// <summary>
    /// Writes the OpenAI error object with the error's status (and <c>retry-after</c> when it has one); a 401 is
    /// reported to the <see cref="IUnauthorizedAnswerObserver"/> registered, if any.
    /// </summary>
    public static Task WriteErrorAsync(HttpResponse response, GatewayError error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);
        response.StatusCode = error.StatusCode;
        if (error.StatusCode == StatusCodes.Status401Unauthorized
            && response.HttpContext.RequestServices?.GetService(typeof(IUnauthorizedAnswerObserver)) is IUnauthorizedAnswerObserver observer)
        {
            observer.Answered(response.HttpContext);
        }

        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return response.WriteAsJsonAsync(error.ToResponse(), OpenAIJsonContext.Relaxed.ErrorResponse, "application/json", cancellationToken);
    }

    /// <summary>Writes a chat result: the completion (the upstream's bytes when there are any), the stream, or the error.</summary>
    public static async Task WriteChatResultAsync(HttpContext httpContext, ChatResult result)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var cancellationToken = httpContext.RequestAborted;
        switch (result)
        {
            case ChatResult.Completed completed:
                await WriteJsonAsync(httpContext.Response, completed.Json, completed.Response, OpenAIJsonContext.Relaxed.ChatCompletionResponse, cancellationToken);
                break;
            case ChatResult.Streaming streaming:
                await WriteStreamAsync(httpContext, streaming.Chunks);
                break;
            case ChatResult.Failed failed:
                await WriteErrorAsync(httpContext.Response, failed.Error, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown chat result {result.GetType().Name}.");
        }
    }

    /// <summary>Starts an SSE answer: status 200, event-stream headers and no response buffering.</summary>
    public static void StartEventStream(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["x-accel-buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>
    /// Sends each chunk as its own event as soon as it arrives, then <c>data: [DONE]</c>. Events that are
    /// already here when the previous one is written go out in the same write (up to
    /// <see cref="MaxUnflushedBytes"/>); nothing that has arrived waits for anything that has not. A client
    /// that goes away cancels <see cref="HttpContext.RequestAborted"/>, which stops the enumeration and so
    /// the upstream call.
    /// </summary>
    public static async Task WriteStreamAsync(HttpContext httpContext, IAsyncEnumerable<StreamedChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(chunks);
        StartEventStream(httpContext);
        var cancellationToken = httpContext.RequestAborted;
        var body = httpContext.Response.BodyWriter;
        Utf8JsonWriter? json = null;
        var events = chunks.GetAsyncEnumerator(cancellationToken);
        ValueTask<bool> next = default;
        var reading = false;
        try
        {
            long unflushed = 0;
            while (true)
            {
                next = events.MoveNextAsync();
                reading = true;
                // The next event is not here yet: send what is, while the upstream is read in parallel.
                if (!next.IsCompleted && unflushed > 0)
                {
                    unflushed = 0;
                    if (!await FlushAsync(body, cancellationToken))
                    {
                        return;
                    }
                }

                reading = false;
                if (!await next)
                {
                    break;
                }

                unflushed += WriteChunk(body, ref json, events.Current);
                if (unflushed >= MaxUnflushedBytes)
                {
                    unflushed = 0;
                    if (!await FlushAsync(body, cancellationToken))
                    {
                        return;
                    }
                }
            }

            body.Write(DoneEvent);
            await body.FlushAsync(cancellationToken);
        }
        catch (ChatStreamException ex)
        {
            WriteEvent(body, json ??= CreateEventWriter(body), ex.Error.ToResponse(), OpenAIJsonContext.Relaxed.ErrorResponse);
            await body.FlushAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; the upstream call was cancelled with it.
        }
        finally
        {
            await CloseAsync(events, next, reading);
            json?.Dispose();
        }
    }

    private static async ValueTask<bool> FlushAsync(System.IO.Pipelines.PipeWriter body, CancellationToken cancellationToken)
    {
        var flush = await body.FlushAsync(cancellationToken);
        return !flush.IsCanceled && !flush.IsCompleted;
    }

    /// <summary>
    /// Ends the enumeration. A read still under way (the client left during a flush) must finish before the
    /// enumerator may be disposed; the response does not wait for it: the upstream's next event, its idle
    /// timeout or the aborted request ends it, and the upstream response is released then.
    /// </summary>
    private static ValueTask CloseAsync(IAsyncEnumerator<StreamedChunk> events, ValueTask<bool> next, bool reading)
    {
        if (reading && !next.IsCompleted)
        {
            _ = FinishReadThenDisposeAsync(events, next);
            return ValueTask.CompletedTask;
        }

        return FinishReadThenDisposeAsync(events, reading ? next : default);
    }

    private static async ValueTask FinishReadThenDisposeAsync(IAsyncEnumerator<StreamedChunk> events, ValueTask<bool> next)
    {
#pragma warning disable CA1031 // Nobody is listening any more: how the last read or the disposal ended has no one to go to.
        try
        {
            await next;
        }
        catch (Exception)
        {
        }

        try
        {
            await events.DisposeAsync();
        }
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    /// <summary>Writes one event without flushing: the upstream's bytes as they came, or the chunk serialized.</summary>
    private static int WriteChunk(System.IO.Pipelines.PipeWriter body, ref Utf8JsonWriter? json, StreamedChunk chunk)
    {
        if (chunk.HasJson)
        {
            var data = chunk.Json.Span;
            body.Write(DataPrefix);
            body.Write(data);
            body.Write(EventEnd);
            return DataPrefix.Length + data.Length + EventEnd.Length;
        }

        json ??= CreateEventWriter(body);
        WriteEvent(body, json, chunk.Chunk, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
        return DataPrefix.Length + (int)json.BytesCommitted + EventEnd.Length;
    }

    /// <summary>
    /// The JSON writer for <see cref="WriteEvent"/>: non-ASCII text written as itself, as in every JSON body of
    /// <see cref="OpenAIJsonContext.Relaxed"/>. Whoever writes events with it writes the gateway's bytes.
    /// </summary>
    public static Utf8JsonWriter CreateEventWriter(System.IO.Pipelines.PipeWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Writes one <c>data: {json}</c> event into the response buffer without flushing.</summary>
    public static void WriteEvent<T>(System.IO.Pipelines.PipeWriter body, Utf8JsonWriter json, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(json);
        body.Write(DataPrefix);
        json.Reset(body);
        JsonSerializer.Serialize(json, value, typeInfo);
        json.Flush();
        body.Write(EventEnd);
    }

    /// <summary>Writes the closing <c>data: [DONE]</c> event.</summary>
    public static void WriteDone(System.IO.Pipelines.PipeWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        body.Write(DoneEvent);
    }
}
