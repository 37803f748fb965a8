using System.Text.Json;
using Switchboard.Cleaning;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Cleans the answers of models that say <c>clean: true</c>, plain and streamed: reasoning blocks (dropped, or moved
/// to <c>reasoning_content</c> with <c>clean_reasoning: move</c>), inner monologue, the model's name echoed as a
/// prefix, stray chat-template tokens. A stream is cleaned chunk by chunk with at most a few characters held back,
/// so a <c>&lt;think&gt;</c> split across chunks is still found. Chunks of other models keep the upstream's bytes.
/// </summary>
public sealed class ResponseCleaningStage(RouteTable routes) : IGatewayStage
{
    private const string ReasoningField = "reasoning_content";

    /// <inheritdoc />
    public string Name => "cleaning";

    /// <inheritdoc />
    public GatewayOperations Operations { get; } = routes.Models.Any(m => m.Cleaning is not null) ? GatewayOperations.Chat : GatewayOperations.None;

    /// <inheritdoc />
    public async ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context, cancellationToken);
        if (context.Route?.Cleaning is not { } cleaning)
        {
            return result;
        }

        return result switch
        {
            ChatResult.Completed completed => new ChatResult.Completed(Clean(completed.Response, cleaning)),
            ChatResult.Streaming streaming => new ChatResult.Streaming(streaming.Chunks.Map(new StreamCleaning(cleaning), static (state, chunk) => state.Clean(chunk))),
            _ => result,
        };
    }

    private static ChatCompletionResponse Clean(ChatCompletionResponse response, ModelCleaning cleaning)
    {
        if (response.Choices is not { Count: > 0 } choices)
        {
            return response;
        }

        var cleaned = new ChatChoice[choices.Count];
        for (var i = 0; i < choices.Count; i++)
        {
            var choice = choices[i];
            if (choice.Message.Content?.PlainText is not { } text)
            {
                cleaned[i] = choice;
                continue;
            }

            var result = cleaning.Cleaner.Clean(text, cleaning.Context);
            var message = choice.Message with { Content = MessageContent.FromText(result.Content) };
            if (cleaning.MoveReasoning && result.Reasoning.Length > 0)
            {
                message.AdditionalProperties = WithReasoning(choice.Message.AdditionalProperties, result.Reasoning);
            }

            cleaned[i] = choice with { Message = message };
        }

        return response with { Choices = cleaned };
    }

    private static Dictionary<string, JsonElement> WithReasoning(IDictionary<string, JsonElement>? existing, string reasoning)
    {
        var properties = existing is null ? new Dictionary<string, JsonElement>(StringComparer.Ordinal) : new Dictionary<string, JsonElement>(existing, StringComparer.Ordinal);
        properties[ReasoningField] = JsonSerializer.SerializeToElement(reasoning, OpenAIJsonContext.Default.String);
        return properties;
    }

    /// <summary>The cleaners of one stream, one per choice.</summary>
    private sealed class StreamCleaning(ModelCleaning cleaning)
    {
        private readonly Dictionary<int, StreamingCleaner> _cleaners = [];

        public StreamedChunk? Clean(StreamedChunk streamed)
        {
            if (streamed.HasJson && !streamed.Finishes && !MayCarryText(streamed.Json.Span))
            {
                return streamed;
            }

            var chunk = streamed.Chunk;
            if (chunk.Choices is not { Count: > 0 } choices)
            {
                return streamed;
            }

            var changed = false;
            var visible = false;
            var cleaned = new ChunkChoice[choices.Count];
            for (var i = 0; i < choices.Count; i++)
            {
                var choice = choices[i];
                var content = choice.Delta.Content;
                if (content is null && choice.FinishReason is null)
                {
                    cleaned[i] = choice;
                    visible |= choice.Delta.Role is not null || choice.Delta.ToolCalls is not null || choice.Delta.Refusal is not null;
                    continue;
                }

                if (!_cleaners.TryGetValue(choice.Index, out var cleaner))
                {
                    _cleaners[choice.Index] = cleaner = cleaning.Cleaner.BeginStream(cleaning.Context);
                }

                var part = content is null ? CleanedText.Empty : cleaner.Push(content);
                if (choice.FinishReason is not null)
                {
                    var last = cleaner.Complete();
                    part = new CleanedText(part.Content + last.Content, part.Reasoning + last.Reasoning);
                }

                var delta = choice.Delta with { Content = content is null && part.Content.Length == 0 ? null : part.Content };
                if (cleaning.MoveReasoning && part.Reasoning.Length > 0)
                {
                    delta.AdditionalProperties = WithReasoning(choice.Delta.AdditionalProperties, part.Reasoning);
                }

                cleaned[i] = choice with { Delta = delta };
                changed = true;
                visible |= part.Content.Length > 0 || (cleaning.MoveReasoning && part.Reasoning.Length > 0) || choice.FinishReason is not null
                    || delta.Role is not null || delta.ToolCalls is not null || delta.Refusal is not null;
            }

            if (!changed)
            {
                return streamed;
            }

            // A chunk whose text was all held back or removed says nothing: leave it out rather than send an empty delta.
            return visible || chunk.Usage is not null ? StreamedChunk.From(chunk with { Choices = cleaned }) : null;
        }

        /// <summary>Only chunks with a <c>content</c> string need parsing; role, tool-call and usage chunks pass as bytes.</summary>
        private static bool MayCarryText(ReadOnlySpan<byte> json) => json.IndexOf("\"content\":\""u8) >= 0 || json.IndexOf("\"content\": \""u8) >= 0;
    }
}
