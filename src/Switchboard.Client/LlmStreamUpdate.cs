using Microsoft.Extensions.AI;

namespace Switchboard.Client;

/// <summary>
/// One element of <see cref="LlmClient.StreamAsync(string, LlmRequestOptions?, CancellationToken)"/>: a piece of
/// text as it arrives, or, last of all, the whole <see cref="LlmResponse"/>.
/// </summary>
public sealed record LlmStreamUpdate
{
    /// <summary>The text that arrived with this update (cleaned when response cleaning is on); empty on the final update.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Set on the final update only: the same result <c>CompleteAsync</c> gives, successful or not.</summary>
    public LlmResponse? Response { get; init; }

    /// <summary>Whether this is the final update, the one that carries <see cref="Response"/>.</summary>
    public bool IsFinal => Response is not null;

    /// <summary>The Microsoft.Extensions.AI update behind a text update; null on the final update.</summary>
    public ChatResponseUpdate? RawUpdate { get; init; }
}
