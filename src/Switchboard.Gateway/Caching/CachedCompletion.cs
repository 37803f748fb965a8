using Switchboard.OpenAI;

namespace Switchboard.Gateway.Caching;

/// <summary>A stored answer found by a lookup: the completion, parsed, and its JSON as it was stored.</summary>
/// <param name="Response">The completion.</param>
/// <param name="Json">Its bytes (the upstream's, or the accumulated stream's), written to a client as they are.</param>
internal readonly record struct CachedCompletion(ChatCompletionResponse Response, ReadOnlyMemory<byte> Json);
