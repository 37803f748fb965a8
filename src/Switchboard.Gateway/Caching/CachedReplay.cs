using Switchboard.OpenAI;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Caching;

/// <summary>A cached completion replayed to a streaming client as the well-formed stream it would have been.</summary>
internal static class CachedReplay
{
    /// <summary>
    /// One chunk per choice (role, whole content, refusal, tool calls with their indexes, finish reason), then the
    /// usage event with no choices when the client asked for it (<c>stream_options.include_usage</c>).
    /// </summary>
    public static IAsyncEnumerable<StreamedChunk> Stream(ChatCompletionResponse completion, bool includeUsage)
    {
        var chunks = new List<StreamedChunk>(completion.Choices.Count + 1);
        foreach (var choice in completion.Choices)
        {
            var message = choice.Message;
            List<ToolCall>? toolCalls = null;
            if (message.ToolCalls is { Count: > 0 } calls)
            {
                toolCalls = new List<ToolCall>(calls.Count);
                for (var i = 0; i < calls.Count; i++)
                {
                    toolCalls.Add(calls[i] with { Index = i });
                }
            }

            chunks.Add(StreamedChunk.From(new ChatCompletionChunk
            {
                Id = completion.Id,
                Created = completion.Created,
                Model = completion.Model,
                SystemFingerprint = completion.SystemFingerprint,
                Choices =
                [
                    new ChunkChoice
                    {
                        Index = choice.Index,
                        Delta = new ChatDelta
                        {
                            Role = message.Role ?? ChatRoles.Assistant,
                            Content = message.Content?.Text,
                            ToolCalls = toolCalls,
                            Refusal = message.Refusal,
                            // What a stage added to the message (reasoning_content) travels in the delta, as it streamed.
                            AdditionalProperties = message.AdditionalProperties,
                        },
                        FinishReason = choice.FinishReason,
                    },
                ],
            }));
        }

        if (includeUsage && completion.Usage is { } usage)
        {
            chunks.Add(StreamedChunk.From(new ChatCompletionChunk { Id = completion.Id, Created = completion.Created, Model = completion.Model, Choices = [], Usage = usage }));
        }

        return chunks.ToAsyncEnumerable();
    }
}
