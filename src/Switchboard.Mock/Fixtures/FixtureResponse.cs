using System.Text.Json;

namespace Switchboard.Mock.Fixtures;

/// <summary>
/// What a fixture answers: text content, tool calls, an error, or a saved completion body (Postman), with
/// pacing for streams, a delay and faults. Exactly one of <see cref="Content"/>/<see cref="ToolCalls"/>,
/// <see cref="Error"/> or <see cref="Body"/> is the answer; content and tool calls may be combined.
/// </summary>
public sealed record FixtureResponse
{
    public string? Content { get; init; }

    public IReadOnlyList<FixtureToolCall> ToolCalls { get; init; } = [];

    public FixtureError? Error { get; init; }

    /// <summary>A saved answer body (e.g. a Postman example), served as saved when it is a whole chat completion.</summary>
    public JsonElement? Body { get; init; }

    /// <summary>The HTTP status of a saved body; 200 when not set.</summary>
    public int? Status { get; init; }

    /// <summary>The model the answer names; the request's model when not set.</summary>
    public string? Model { get; init; }

    /// <summary><c>stop</c> by default, <c>tool_calls</c> when the answer calls tools.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Extra answer headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Usage numbers to report instead of the counted ones.</summary>
    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    /// <summary>A wait before anything is answered.</summary>
    public TimeSpan Delay { get; init; }

    public StreamSettings Stream { get; init; } = StreamSettings.Default;

    public FaultSettings Fault { get; init; } = new();

    /// <summary>A one-line summary for the admin API and logs.</summary>
    public string Summarize()
    {
        if (Error is { } error)
        {
            return $"error {error.Status}{(error.Message is null ? string.Empty : ": " + Text.TextNormalizer.Shorten(error.Message, 40))}";
        }

        if (ToolCalls.Count > 0)
        {
            return "tool calls " + string.Join(", ", ToolCalls.Select(t => t.Name));
        }

        if (Body is not null)
        {
            return $"saved body ({Status ?? 200})";
        }

        return $"content '{Text.TextNormalizer.Shorten(Content, 40)}'";
    }
}
