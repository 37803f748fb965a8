using Switchboard.OpenAI;

namespace Switchboard.Pipeline;

/// <summary>
/// An upstream that answers chat and embedding requests: an OpenAI-compatible server, Ollama, or the
/// built-in mock. The request it gets already names the upstream's own model.
/// </summary>
public interface IChatProvider
{
    /// <summary>The name given in configuration (<c>providers[].name</c>).</summary>
    string Name { get; }

    /// <summary>The kind of provider (<c>openai</c>, <c>ollama</c>, <c>mock</c>).</summary>
    string Type { get; }

    /// <summary>
    /// Sends a chat request. For <c>stream: true</c> the result is <see cref="ChatResult.Streaming"/> once the
    /// upstream has answered with success; errors before that are <see cref="ChatResult.Failed"/>.
    /// </summary>
    ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a chat request together with the client's request headers, for providers that look at them
    /// (the mock's header matchers). Upstream providers never forward them: by default they are ignored.
    /// </summary>
    ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, IReadOnlyDictionary<string, string> clientHeaders, CancellationToken cancellationToken) =>
        ChatAsync(request, cancellationToken);

    /// <summary>What the provider says about itself (a scripted one's circuits never open).</summary>
    ProviderTraits Traits => ProviderTraits.None;

    /// <summary>
    /// Loads what the first request would otherwise wait for (a tokenizer's vocabulary, say). The gateway calls it in
    /// the background once it has started; by default there is nothing to do.
    /// </summary>
    ValueTask WarmUpAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Sends an embeddings request; the request already names the upstream's own model.</summary>
    ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken);

    /// <summary>Whether the upstream answers at all; used by <c>/health/ready</c>.</summary>
    ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken);
}
