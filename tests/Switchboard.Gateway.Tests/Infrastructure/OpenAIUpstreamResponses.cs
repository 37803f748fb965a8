using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>Answers in the shapes of the OpenAI API reference, for fake upstreams.</summary>
public static class OpenAIUpstreamResponses
{
    public static string Completion(string model, string content) => $$"""
        {
          "id": "chatcmpl-upstream1",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "{{model}}",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": "{{content}}", "refusal": null, "annotations": [] },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_upstream"
        }
        """;

    public static string ToolCallCompletion(string model) => $$"""
        {
          "id": "chatcmpl-upstream2",
          "object": "chat.completion",
          "created": 1699896916,
          "model": "{{model}}",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                  { "id": "call_abc123", "type": "function", "function": { "name": "get_current_weather", "arguments": "{\n\"location\": \"Boston, MA\"\n}" } }
                ]
              },
              "logprobs": null,
              "finish_reason": "tool_calls"
            }
          ],
          "usage": { "prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99 }
        }
        """;

    public static string Chunk(string model, string? content, string? finishReason = null, bool role = false)
    {
        var delta = new StringBuilder("{");
        if (role)
        {
            delta.Append("\"role\":\"assistant\",");
        }

        delta.Append(content is null ? "\"content\":null" : $"\"content\":\"{content}\"").Append('}');
        var finish = finishReason is null ? "null" : $"\"{finishReason}\"";
        return $"{{\"id\":\"chatcmpl-upstream3\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":\"{model}\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}]}}";
    }

    public static async Task WriteEventAsync(HttpResponse response, string data)
    {
        await response.WriteAsync("data: " + data + "\n\n");
        await response.Body.FlushAsync();
    }

    public static Task WriteJsonAsync(HttpResponse response, string json, int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(json);
    }
}
