using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Replies;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Server.Http;

/// <summary>Writes a <see cref="MockReply"/> to the socket, faults included: a dropped connection aborts it.</summary>
internal static class MockReplyWriter
{
    /// <summary>The status the reply is answered with; 0 for a dropped connection.</summary>
    public static int StatusOf(MockReply reply) => reply switch
    {
        MockReply.Failure failure => failure.Error.StatusCode,
        MockReply.Dropped => 0,
        _ => StatusCodes.Status200OK,
    };

    public static async Task WriteAsync(HttpContext context, MockReply reply)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        if (reply.Headers.Count > 0)
        {
            foreach (var (name, value) in reply.Headers)
            {
                response.Headers[name] = value;
            }
        }

        switch (reply)
        {
            case MockReply.Completion completion:
                await OpenAIResponseWriter.WriteJsonAsync(response, completion.Json, completion.Response, OpenAIJsonContext.Relaxed.ChatCompletionResponse, cancellationToken);
                break;
            case MockReply.Stream { Prepared.IsEmpty: false } prepared:
                await WritePreparedStreamAsync(context, prepared.Prepared);
                break;
            case MockReply.Failure failure:
                await OpenAIResponseWriter.WriteErrorAsync(response, failure.Error, cancellationToken);
                break;
            case MockReply.Stream { BreaksOff: true } stream when HttpProtocol.IsHttp11(context.Request.Protocol):
                await WriteBreakingStreamAsync(context, stream.Events);
                break;
            case MockReply.Stream stream:
                await WriteStreamAsync(context, stream.Events);
                break;
            case MockReply.Dropped:
                context.Abort();
                break;
            case MockReply.Malformed malformed:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                await response.WriteAsync(malformed.Body, Encoding.UTF8, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown mock reply {reply.GetType().Name}.");
        }
    }

    // A stream that is the same bytes every time (a saved answer, no pacing, no fault) goes out in one write, and with
    // the chunked encoding's end in the same flush: one send, where a flushing write and then the end made two (each
    // a system call when requests run on the socket threads, see MockServerOptions.InlineScheduling).
    private static async Task WritePreparedStreamAsync(HttpContext context, ReadOnlyMemory<byte> events)
    {
        OpenAIResponseWriter.StartEventStream(context);
        try
        {
            context.Response.BodyWriter.Write(events.Span);
            await context.Response.CompleteAsync();
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task WriteStreamAsync(HttpContext context, IAsyncEnumerable<MockStreamEvent> events)
    {
        OpenAIResponseWriter.StartEventStream(context);
        var cancellationToken = context.RequestAborted;
        var body = context.Response.BodyWriter;
        // The gateway's event writer, encoder and contract: both servers write the same bytes for the same chunk.
        using var json = OpenAIResponseWriter.CreateEventWriter(body);
        await using var items = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            // Ask for the first event, which starts the time to first token, and send the headers meanwhile:
            // a real server answers with headers at once, and a client's header timeout must not see a slow first token.
            var first = items.MoveNextAsync().AsTask();
            await Task.WhenAll(body.FlushAsync(cancellationToken).AsTask(), first);
            for (var more = await first; more; more = await items.MoveNextAsync())
            {
                switch (items.Current)
                {
                    case MockStreamEvent.Chunk chunk:
                        OpenAIResponseWriter.WriteEvent(body, json, chunk.Value, OpenAIJsonContext.Relaxed.ChatCompletionChunk);
                        break;
                    case MockStreamEvent.Malformed malformed:
                        body.Write(Encoding.UTF8.GetBytes("data: " + malformed.Data + "\n\n"));
                        break;
                    case MockStreamEvent.Drop:
                        // Not HTTP/1.1 (see WriteBreakingStreamAsync): a reset is the only way to break the stream.
                        await body.FlushAsync(cancellationToken);
                        context.Abort();
                        return;
                }

                await body.FlushAsync(cancellationToken);
            }

            OpenAIResponseWriter.WriteDone(body);
            await body.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away mid-stream.
        }
    }

    /// <summary>
    /// A stream the fixture breaks off, over HTTP/1.1. Aborting the connection resets it, and a reset throws
    /// away what the client has not read yet (often every chunk) and even what the server has not sent yet.
    /// So this answer frames its chunked body itself and says <c>Connection: close</c>: at the drop it just
    /// stops, the server sends everything written and closes the connection normally, and the client reads
    /// the chunks, then a body that ends without its last chunk: a broken-off stream.
    /// </summary>
    private static async Task WriteBreakingStreamAsync(HttpContext context, IAsyncEnumerable<MockStreamEvent> events)
    {
        OpenAIResponseWriter.StartEventStream(context);
        // Set by the application, Transfer-Encoding makes Kestrel leave the framing (and its final chunk) to us.
        context.Response.Headers.TransferEncoding = "chunked";
        context.Response.Headers.Connection = "close";
        var cancellationToken = context.RequestAborted;
        var body = context.Response.BodyWriter;
        await using var items = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            var first = items.MoveNextAsync().AsTask();
            await Task.WhenAll(body.FlushAsync(cancellationToken).AsTask(), first);
            for (var more = await first; more; more = await items.MoveNextAsync())
            {
                switch (items.Current)
                {
                    case MockStreamEvent.Chunk chunk:
                        WriteFramedEvent(body, JsonSerializer.SerializeToUtf8Bytes(chunk.Value, OpenAIJsonContext.Relaxed.ChatCompletionChunk));
                        break;
                    case MockStreamEvent.Malformed malformed:
                        WriteFramedEvent(body, Encoding.UTF8.GetBytes(malformed.Data));
                        break;
                    case MockStreamEvent.Drop:
                        await body.FlushAsync(cancellationToken);
                        return;
                }

                await body.FlushAsync(cancellationToken);
            }

            WriteFramedEvent(body, "[DONE]"u8);
            body.Write("0\r\n\r\n"u8);
            await body.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away mid-stream.
        }
    }

    /// <summary>Writes <c>data: {data}\n\n</c> as one HTTP chunk.</summary>
    private static void WriteFramedEvent(PipeWriter body, ReadOnlySpan<byte> data)
    {
        var length = "data: "u8.Length + data.Length + "\n\n"u8.Length;
        body.Write(Encoding.ASCII.GetBytes(length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
        body.Write("data: "u8);
        body.Write(data);
        body.Write("\n\n\r\n"u8);
    }
}
