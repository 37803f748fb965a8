using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The function name and JSON-encoded arguments of a <see cref="ToolCall"/>.</summary>
public sealed record FunctionCall
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("arguments")] public string? Arguments { get; init; }
}
