using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>One provider's line in <c>/health/ready</c>.</summary>
public sealed record ProviderHealthReport
{
    /// <summary>The provider's kind (<c>openai</c>, <c>ollama</c>, <c>mock</c>).</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }
    /// <summary>Whether it answered its probe.</summary>
    [JsonPropertyName("healthy")] public required bool Healthy { get; init; }
    /// <summary>Why not, when it did not.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; init; }
}
