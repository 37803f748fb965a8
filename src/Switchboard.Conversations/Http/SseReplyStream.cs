using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Conversations.Service;
using Switchboard.Errors;
using Switchboard.Gateway.Endpoints;
using Switchboard.Gateway.Pipeline;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;

namespace Switchboard.Conversations.Http;

/// <summary>
/// A streamed reply as server-sent events: <c>{"type":"delta","delta":"..."}</c> for each cleaned piece, then the
/// whole answer as <c>{"type":"done",...}</c> (or an <c>{"error":{...}}</c> event), then <c>data: [DONE]</c>.
/// </summary>
internal sealed class SseReplyStream(HttpContext http) : IReplyStream, IDisposable
{
    private Utf8JsonWriter? _json;

    public bool HasBegun { get; private set; }

    public ValueTask BeginAsync(GatewayContext context, CancellationToken cancellationToken)
    {
        GatewayResponseHeaders.Write(http.Response, context);
        OpenAIResponseWriter.StartEventStream(http);
        HasBegun = true;
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteAsync(string delta, CancellationToken cancellationToken)
    {
        Write(new ChatDeltaEvent { Delta = delta }, ConversationsJsonContext.Relaxed.ChatDeltaEvent);
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>The closing event with the whole answer, then <c>[DONE]</c>.</summary>
    public async Task DoneAsync(ChatResponseBody body, CancellationToken cancellationToken)
    {
        Write(body with { Type = "done" }, ConversationsJsonContext.Relaxed.ChatResponseBody);
        OpenAIResponseWriter.WriteDone(http.Response.BodyWriter);
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>An error after the stream began (the status already said 200): the error object as the last event.</summary>
    public async Task FailAsync(GatewayError error)
    {
        Write(error.ToResponse(), OpenAIJsonContext.Relaxed.ErrorResponse);
        await http.Response.BodyWriter.FlushAsync(CancellationToken.None);
    }

    public void Dispose() => _json?.Dispose();

    private void Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var body = http.Response.BodyWriter;
        OpenAIResponseWriter.WriteEvent(body, _json ??= OpenAIResponseWriter.CreateEventWriter(body), value, typeInfo);
    }
}
