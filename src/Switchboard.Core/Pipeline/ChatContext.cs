using Switchboard.OpenAI;

namespace Switchboard.Pipeline;

/// <summary>
/// One chat request on its way through the pipeline. Stages may replace <see cref="Request"/> (routing
/// rewrites the model, compression shortens messages) and record what they did in <see cref="ResponseHeaders"/>.
/// </summary>
public sealed class ChatContext
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private readonly ChatCompletionRequest _clientRequest;
    private readonly ReadOnlyMemory<byte> _clientJson;

    /// <param name="request">The request as the client sent it.</param>
    /// <param name="clientJson">The bytes <paramref name="request"/> was read from, when there are any.</param>
    public ChatContext(ChatCompletionRequest request, ReadOnlyMemory<byte> clientJson = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = _clientRequest = request;
        _clientJson = clientJson;
        RequestedModel = request.Model ?? string.Empty;
    }

    /// <summary>The request as the next stage should see it.</summary>
    public ChatCompletionRequest Request { get; set; }

    /// <summary>
    /// The client's bytes while <see cref="Request"/> is still the request they were read into; empty once a
    /// stage has replaced it (compression, say), since the bytes no longer say the same.
    /// </summary>
    public ReadOnlyMemory<byte> ClientJson => ReferenceEquals(Request, _clientRequest) ? _clientJson : default;

    /// <summary>The model name the client asked for, before aliases and routing rules.</summary>
    public string RequestedModel { get; }

    /// <summary>The client's request headers (names compared case-insensitively), for stages and matchers that look at them.</summary>
    public IReadOnlyDictionary<string, string> RequestHeaders { get; init; } = NoHeaders;

    /// <summary>Headers the answer will carry (<c>x-switchboard-*</c>, rate-limit headers).</summary>
    public IDictionary<string, string> ResponseHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per-request state shared between stages (created on first use: most requests need none).</summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    private Dictionary<string, object?>? _items;
}
