using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Providers.Ollama;

/// <summary>
/// Turns the lines of one streamed Ollama answer into OpenAI chunks: one id for the whole stream, the
/// assistant role on the first chunk, tool calls numbered across the stream, the finish reason on the last.
/// </summary>
internal sealed class OllamaStreamMapper
{
    private readonly string _id = CompletionIds.NewChatCompletionId();
    private readonly string? _requestedModel;
    private readonly TimeProvider _timeProvider;
    private long _created;
    private bool _sentRole;
    private int _toolCalls;

    public OllamaStreamMapper(string? requestedModel, TimeProvider timeProvider)
    {
        _requestedModel = requestedModel;
        _timeProvider = timeProvider;
    }

    public ChatCompletionChunk ToChunk(OllamaChatResponse line)
    {
        if (_created == 0)
        {
            _created = OllamaResponseMapper.ToUnixSeconds(line.CreatedAt, _timeProvider);
        }

        var message = line.Message;
        var toolCalls = OllamaResponseMapper.MapToolCalls(message?.ToolCalls, indexed: true, firstIndex: _toolCalls);
        _toolCalls += toolCalls?.Count ?? 0;
        var content = message?.Content;
        var delta = new ChatDelta
        {
            Role = _sentRole ? null : ChatRoles.Assistant,
            Content = string.IsNullOrEmpty(content) && (_sentRole || toolCalls is not null) ? null : content ?? string.Empty,
            ToolCalls = toolCalls,
            AdditionalProperties = OllamaResponseMapper.Reasoning(message?.Thinking),
        };
        _sentRole = true;
        return new ChatCompletionChunk
        {
            Id = _id,
            Created = _created,
            Model = line.Model ?? _requestedModel ?? string.Empty,
            Choices =
            [
                new ChunkChoice
                {
                    Index = 0,
                    Delta = delta,
                    FinishReason = line.Done ? OllamaResponseMapper.FinishReason(line.DoneReason, _toolCalls > 0) : null,
                    Logprobs = OllamaResponseMapper.Logprobs(line.Logprobs),
                },
            ],
        };
    }

    /// <summary>The extra last chunk OpenAI sends for <c>stream_options.include_usage</c>: no choices, only usage.</summary>
    public ChatCompletionChunk ToUsageChunk(OllamaChatResponse last) => new()
    {
        Id = _id,
        Created = _created,
        Model = last.Model ?? _requestedModel ?? string.Empty,
        Choices = [],
        Usage = OllamaResponseMapper.ToUsage(last),
    };
}
