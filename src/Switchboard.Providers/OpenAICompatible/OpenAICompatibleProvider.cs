using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Providers.Upstream;
using Switchboard.Streaming;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>
/// A provider for any server that speaks the OpenAI chat API: OpenAI itself, LM Studio, vLLM, the llama.cpp
/// server, Ollama's <c>/v1</c>. Requests are forwarded as the client's own bytes with the deployment's model
/// put in (or, when a stage changed the request, written by the source-generated serializer, which keeps
/// fields Switchboard does not model); answers are checked and forwarded as the upstream's bytes. Streams are read one SSE event at a time, as they arrive, and each event's bytes
/// are forwarded as they came (checked, not parsed).
/// </summary>
public sealed class OpenAICompatibleProvider : IChatProvider
{
    private readonly UpstreamClient _upstream;
    private readonly Uri _chatUri;
    private readonly Uri _embeddingsUri;
    private readonly Uri _modelsUri;

    /// <summary>Creates a provider that sends through <paramref name="httpClient"/> (see <see cref="ProviderHttpClients"/>).</summary>
    /// <param name="options">The provider's configuration; <see cref="ProviderOptions.BaseUrl"/> is the API root ending in <c>/v1</c>.</param>
    /// <param name="httpClient">The client to send with; its own <see cref="HttpClient.Timeout"/> should be infinite.</param>
    /// <param name="timeProvider">The clock for timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where upstream failures are logged.</param>
    public OpenAICompatibleProvider(ProviderOptions options, HttpClient httpClient, TimeProvider? timeProvider = null, ILogger<OpenAICompatibleProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.BaseUrl, nameof(options));
        Name = options.Name;
        _upstream = new UpstreamClient(options, httpClient, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
        _chatUri = UpstreamClient.Combine(options.BaseUrl, "chat/completions");
        _embeddingsUri = UpstreamClient.Combine(options.BaseUrl, "embeddings");
        _modelsUri = UpstreamClient.Combine(options.BaseUrl, "models");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Type => ProviderTypes.OpenAI;

    /// <inheritdoc />
    public async ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Usage the gateway needs but the client did not ask for is asked of the upstream in the same edit of the bytes.
        var askForUsage = request.IsStreaming && request.AskForStreamUsage && !request.WantsStreamUsage;
        var message = RequestSplice.Apply(request.ClientJson, request.Model, askForUsage) is { } clientJson
            ? _upstream.CreateRequest(HttpMethod.Post, _chatUri, clientJson)
            : _upstream.CreateRequest(HttpMethod.Post, _chatUri, askForUsage ? WithStreamUsage(request) : request, OpenAIJsonContext.Default.ChatCompletionRequest);
        if (!request.IsStreaming)
        {
            using (message)
            {
                var result = await _upstream.SendJsonAsync(message, OpenAIJsonContext.Default.ChatCompletionResponse, request.Model, cancellationToken);
                return result.Error is { } error ? new ChatResult.Failed(error) : new ChatResult.Completed(result.Value!, result.Json);
            }
        }

        var started = await _upstream.StartStreamAsync(message, request.Model, cancellationToken);
        if (started.Error is { } streamError)
        {
            message.Dispose();
            return new ChatResult.Failed(streamError);
        }

        var response = started.Value!;
        if (response.Content.Headers.ContentType?.MediaType is "application/json")
        {
            // The server ignored "stream": true and answered with a whole completion; replay it as chunks.
            return await ReplayAsStreamAsync(response, request.IncludesStreamUsage, cancellationToken);
        }

        return new ChatResult.Streaming(_upstream.ReadStreamAsync(response, request.Model, SseChunkReader.ReadChunksAsync, cancellationToken));
    }

    /// <inheritdoc />
    public async ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = RequestSplice.Apply(request.ClientJson, request.Model) is { } clientJson
            ? _upstream.CreateRequest(HttpMethod.Post, _embeddingsUri, clientJson)
            : _upstream.CreateRequest(HttpMethod.Post, _embeddingsUri, request, OpenAIJsonContext.Default.EmbeddingRequest);
        var result = await _upstream.SendJsonAsync(message, OpenAIJsonContext.Default.EmbeddingResponse, request.Model, cancellationToken);
        return result.Error is { } error ? EmbeddingResult.Failure(error) : EmbeddingResult.Success(result.Value!, result.Json);
    }

    /// <inheritdoc />
    public async ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        using var message = _upstream.CreateRequest(HttpMethod.Get, _modelsUri);
        var timeout = _upstream.Timeout < UpstreamClient.HealthTimeout ? _upstream.Timeout : UpstreamClient.HealthTimeout;
        var error = await _upstream.ProbeAsync(message, timeout, cancellationToken);
        return error is null ? ProviderHealth.Healthy : ProviderHealth.Unhealthy(error.Message);
    }

    private static ChatCompletionRequest WithStreamUsage(ChatCompletionRequest request) =>
        request with { StreamOptions = (request.StreamOptions ?? new StreamOptions()) with { IncludeUsage = true } };

    private async ValueTask<ChatResult> ReplayAsStreamAsync(HttpResponseMessage response, bool includeUsage, CancellationToken cancellationToken)
    {
        using (response)
        using (response.RequestMessage)
        {
            ChatCompletionResponse? completion;
            try
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                completion = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ChatCompletionResponse);
            }
            catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
            {
                return new ChatResult.Failed(_upstream.InvalidResponse(ex));
            }

            return completion is null
                ? new ChatResult.Failed(_upstream.InvalidResponse(null))
                : new ChatResult.Streaming(ChatStreams.Replay(completion, includeUsage));
        }
    }
}
