using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>The inside of the OpenAI error envelope. <c>param</c> and <c>code</c> are always written, null or not.</summary>
public sealed record ErrorBody
{
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("param")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Param { get; init; }

    [JsonPropertyName("code")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Code { get; init; }
}
