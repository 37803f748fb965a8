using System.Text;
using Switchboard.OpenAI;

namespace Switchboard.Streaming;

/// <summary>
/// Builds the whole completion a stream amounts to, chunk by chunk: per choice the role, content, refusal,
/// tool calls (arguments joined from their pieces, by index) and finish reason; the stream's id, model, created,
/// fingerprint and the usage of its usage event. For stages and callers that need the answer as one piece (a
/// cache store, the conversations service) while the stream goes on to the client. Logprobs are not kept.
/// </summary>
public sealed class ChatCompletionAccumulator
{
    private readonly List<ChoiceState> _choices = [];
    private string? _id;
    private long _created;
    private string? _model;
    private string? _systemFingerprint;
    private string? _serviceTier;

    /// <summary>The usage the stream reported (its usage event), if any so far.</summary>
    public Usage? Usage { get; private set; }

    /// <summary>The number of chunks added.</summary>
    public int Chunks { get; private set; }

    /// <summary>Adds one event (parsed here if it was not yet: accumulating needs its content).</summary>
    public void Add(StreamedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        Add(chunk.Chunk);
    }

    /// <summary>Adds one chunk.</summary>
    public void Add(ChatCompletionChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        Chunks++;
        _id ??= NullIfEmpty(chunk.Id);
        _model ??= NullIfEmpty(chunk.Model);
        if (_created == 0)
        {
            _created = chunk.Created;
        }

        _systemFingerprint ??= chunk.SystemFingerprint;
        _serviceTier ??= chunk.ServiceTier;
        if (chunk.Usage is { } usage)
        {
            Usage = usage;
        }

        foreach (var choice in chunk.Choices)
        {
            ChoiceFor(choice.Index).Add(choice);
        }
    }

    /// <summary>The completion so far (after the last chunk: the whole completion).</summary>
    public ChatCompletionResponse ToCompletion() => new()
    {
        Id = _id ?? string.Empty,
        Created = _created,
        Model = _model ?? string.Empty,
        SystemFingerprint = _systemFingerprint,
        ServiceTier = _serviceTier,
        Usage = Usage,
        Choices = [.. _choices.Select(c => c.ToChoice())],
    };

    private ChoiceState ChoiceFor(int index)
    {
        // Choices are few (usually one) and arrive in order: a linear search is the cheapest lookup.
        for (var i = 0; i < _choices.Count; i++)
        {
            if (_choices[i].Index == index)
            {
                return _choices[i];
            }
        }

        var state = new ChoiceState(index);
        var at = _choices.FindIndex(c => c.Index > index);
        _choices.Insert(at < 0 ? _choices.Count : at, state);
        return state;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private sealed class ChoiceState(int index)
    {
        private readonly List<ToolCallState> _toolCalls = [];
        private string? _role;
        private StringBuilder? _content;
        private StringBuilder? _refusal;
        private string? _finishReason;

        public int Index => index;

        public void Add(ChunkChoice choice)
        {
            var delta = choice.Delta;
            _role ??= delta.Role;
            if (delta.Content is { Length: > 0 } content)
            {
                (_content ??= new StringBuilder()).Append(content);
            }

            if (delta.Refusal is { Length: > 0 } refusal)
            {
                (_refusal ??= new StringBuilder()).Append(refusal);
            }

            if (delta.ToolCalls is { } calls)
            {
                for (var i = 0; i < calls.Count; i++)
                {
                    var call = calls[i];
                    var position = call.Index ?? i;
                    var state = _toolCalls.Find(t => t.Index == position);
                    if (state is null)
                    {
                        state = new ToolCallState(position);
                        _toolCalls.Add(state);
                    }

                    state.Add(call);
                }
            }

            _finishReason = choice.FinishReason ?? _finishReason;
        }

        public ChatChoice ToChoice() => new()
        {
            Index = index,
            FinishReason = _finishReason,
            Message = new ChatMessage
            {
                Role = _role ?? ChatRoles.Assistant,
                Content = _content is null && _toolCalls.Count > 0 ? null : MessageContent.FromText(_content?.ToString() ?? string.Empty),
                Refusal = _refusal?.ToString(),
                ToolCalls = _toolCalls.Count == 0 ? null : [.. _toolCalls.OrderBy(t => t.Index).Select(t => t.ToToolCall())],
            },
        };
    }

    private sealed class ToolCallState(int index)
    {
        private readonly StringBuilder _arguments = new();
        private string? _id;
        private string? _type;
        private string? _name;

        public int Index => index;

        public void Add(ToolCall call)
        {
            _id ??= call.Id;
            _type ??= call.Type;
            _name ??= call.Function?.Name;
            _arguments.Append(call.Function?.Arguments);
        }

        public ToolCall ToToolCall() => new()
        {
            Id = _id,
            Type = _type ?? "function",
            Function = new FunctionCall { Name = _name, Arguments = _arguments.ToString() },
        };
    }
}
