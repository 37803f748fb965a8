using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Providers.Upstream;
using Switchboard.Streaming;

namespace Switchboard.Providers.Ollama;

/// <summary>
/// A provider for Ollama's native API (<c>POST /api/chat</c>, <c>POST /api/embed</c>, <c>GET /api/version</c>),
/// translating OpenAI requests and answers both ways, including tools, images, JSON formats, Modelfile
/// options and NDJSON streams.
/// </summary>
/// <remarks>
/// The Ollama wire types are hand-written for the System.Text.Json source generator instead of using
/// OllamaSharp: the adapter needs to pass arbitrary Modelfile options and <c>keep_alive</c>/<c>think</c> values
/// through untouched (OllamaSharp's request types are typed and would drop or reshape them), to see the HTTP
/// status and error body of every answer to map errors precisely (OllamaSharp throws its own exceptions),
/// and to parse stream lines straight from a pooled buffer without reflection, one line at a time. The
/// subset of the API used is small and documented, so the types are a few dozen lines.
/// </remarks>
public sealed class OllamaProvider : IChatProvider
{
    /// <summary>Where Ollama listens by default; used when <c>base_url</c> is not set.</summary>
    public const string DefaultBaseUrl = "http://localhost:11434";

    private readonly UpstreamClient _upstream;
    private readonly TimeProvider _timeProvider;
    private readonly Uri _chatUri;
    private readonly Uri _embedUri;
    private readonly Uri _versionUri;

    /// <summary>Creates a provider that sends through <paramref name="httpClient"/> (see <see cref="ProviderHttpClients"/>).</summary>
    /// <param name="options">The provider's configuration; <see cref="ProviderOptions.BaseUrl"/> is the server root (<c>http://localhost:11434</c>).</param>
    /// <param name="httpClient">The client to send with; its own <see cref="HttpClient.Timeout"/> should be infinite.</param>
    /// <param name="timeProvider">The clock for timeouts and <c>created</c> fallbacks; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Where upstream failures are logged.</param>
    public OllamaProvider(ProviderOptions options, HttpClient httpClient, TimeProvider? timeProvider = null, ILogger<OllamaProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        Name = options.Name;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _upstream = new UpstreamClient(options, httpClient, _timeProvider, (ILogger?)logger ?? NullLogger.Instance);
        var root = NormalizeBaseUrl(options.BaseUrl);
        _chatUri = UpstreamClient.Combine(root, "api/chat");
        _embedUri = UpstreamClient.Combine(root, "api/embed");
        _versionUri = UpstreamClient.Combine(root, "api/version");
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Type => ProviderTypes.Ollama;

    /// <inheritdoc />
    public async ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mapped = OllamaRequestMapper.MapChat(request);
        if (mapped.Error is { } mappingError)
        {
            return new ChatResult.Failed(mappingError with { BeforeUpstream = true });
        }

        var message = _upstream.CreateRequest(HttpMethod.Post, _chatUri, mapped.Value!, OllamaJsonContext.Default.OllamaChatRequest);
        if (!request.IsStreaming)
        {
            using (message)
            {
                var result = await _upstream.SendJsonAsync(message, OllamaJsonContext.Default.OllamaChatResponse, request.Model, cancellationToken);
                if (result.Error is { } error)
                {
                    return new ChatResult.Failed(error);
                }

                var response = result.Value!;
                if (response.Error is not null || response.Message is null)
                {
                    return new ChatResult.Failed(_upstream.InvalidResponse(null));
                }

                return new ChatResult.Completed(OllamaResponseMapper.ToCompletion(response, request.Model, _timeProvider));
            }
        }

        var started = await _upstream.StartStreamAsync(message, request.Model, cancellationToken);
        if (started.Error is { } streamError)
        {
            message.Dispose();
            return new ChatResult.Failed(streamError);
        }

        var mapper = new OllamaStreamMapper(request.Model, _timeProvider);
        var includeUsage = request.IncludesStreamUsage;
        return new ChatResult.Streaming(_upstream.ReadStreamAsync(
            started.Value!,
            request.Model,
            (body, token) => ReadChunksAsync(body, mapper, includeUsage, token),
            cancellationToken));
    }

    /// <inheritdoc />
    public async ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mapped = OllamaRequestMapper.MapEmbed(request);
        if (mapped.Error is { } mappingError)
        {
            return EmbeddingResult.Failure(mappingError with { BeforeUpstream = true });
        }

        using var message = _upstream.CreateRequest(HttpMethod.Post, _embedUri, mapped.Value!, OllamaJsonContext.Default.OllamaEmbedRequest);
        var result = await _upstream.SendJsonAsync(message, OllamaJsonContext.Default.OllamaEmbedResponse, request.Model, cancellationToken);
        if (result.Error is { } error)
        {
            return EmbeddingResult.Failure(error);
        }

        var base64 = string.Equals(request.EncodingFormat, "base64", StringComparison.OrdinalIgnoreCase);
        var response = OllamaResponseMapper.ToEmbeddings(result.Value!, request.Model, base64);
        return response is null ? EmbeddingResult.Failure(_upstream.InvalidResponse(null)) : EmbeddingResult.Success(response);
    }

    /// <inheritdoc />
    public async ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        using var message = _upstream.CreateRequest(HttpMethod.Get, _versionUri);
        var timeout = _upstream.Timeout < UpstreamClient.HealthTimeout ? _upstream.Timeout : UpstreamClient.HealthTimeout;
        var error = await _upstream.ProbeAsync(message, timeout, cancellationToken);
        return error is null ? ProviderHealth.Healthy : ProviderHealth.Unhealthy(error.Message);
    }

    /// <summary>The server root: <c>base_url</c> without a trailing slash or <c>/api</c>, or <see cref="DefaultBaseUrl"/>.</summary>
    internal static string NormalizeBaseUrl(string? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return DefaultBaseUrl;
        }

        var root = baseUrl.Trim().TrimEnd('/');
        return root.EndsWith("/api", StringComparison.OrdinalIgnoreCase) ? root[..^4] : root;
    }

    private async IAsyncEnumerable<StreamedChunk> ReadChunksAsync(
        Stream body,
        OllamaStreamMapper mapper,
        bool includeUsage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in NdjsonReader.ReadAsync(body, OllamaJsonContext.Default.OllamaChatResponse, cancellationToken))
        {
            if (line.Error is { } error)
            {
                throw new ChatStreamException(GatewayError.BadGateway($"The upstream '{Name}' reported an error in the middle of the stream.") with { UpstreamMessage = error });
            }

            yield return StreamedChunk.From(mapper.ToChunk(line));
            if (line.Done)
            {
                if (includeUsage)
                {
                    yield return StreamedChunk.From(mapper.ToUsageChunk(line));
                }

                yield break;
            }
        }

        throw new ChatStreamException(GatewayError.BadGateway($"The upstream '{Name}' ended the stream before it was done."));
    }
}
