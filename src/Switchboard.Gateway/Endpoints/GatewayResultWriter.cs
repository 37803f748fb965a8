using Microsoft.AspNetCore.Http;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Endpoints;

/// <summary>Writes whatever the pipeline returned as the OpenAI API would: the one place a result becomes an HTTP answer.</summary>
internal static class GatewayResultWriter
{
    public static Task WriteAsync(HttpContext http, GatewayResult result)
    {
        var cancellationToken = http.RequestAborted;
        if (result.Error is { } error)
        {
            return OpenAIResponseWriter.WriteErrorAsync(http.Response, error, cancellationToken);
        }

        return result switch
        {
            ChatResult chat => OpenAIResponseWriter.WriteChatResultAsync(http, chat),
            EmbeddingResult embeddings => OpenAIResponseWriter.WriteJsonAsync(http.Response, embeddings.Json, embeddings.Response!, OpenAIJsonContext.Relaxed.EmbeddingResponse, cancellationToken),
            ModelsResult { Model: { } model } => OpenAIResponseWriter.WriteJsonAsync(http.Response, model, OpenAIJsonContext.Relaxed.ModelInfo, cancellationToken),
            ModelsResult models => OpenAIResponseWriter.WriteJsonAsync(http.Response, models.List!, OpenAIJsonContext.Relaxed.ModelList, cancellationToken),
            _ => throw new InvalidOperationException($"Unknown result {result.GetType().Name}."),
        };
    }
}
