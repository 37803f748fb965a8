using Switchboard.OpenAI;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>Replays a whole completion as the chunks a stream of it would have carried.</summary>
internal static class CompletionChunks
{
    public static List<ChatCompletionChunk> FromCompletion(ChatCompletionResponse completion, bool includeUsage)
    {
        var chunks = new List<ChatCompletionChunk>(completion.Choices.Count + 1);
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

            chunks.Add(new ChatCompletionChunk
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
                        },
                        FinishReason = choice.FinishReason,
                    },
                ],
            });
        }

        if (includeUsage && completion.Usage is { } usage)
        {
            chunks.Add(new ChatCompletionChunk { Id = completion.Id, Created = completion.Created, Model = completion.Model, Choices = [], Usage = usage });
        }

        return chunks;
    }
}
