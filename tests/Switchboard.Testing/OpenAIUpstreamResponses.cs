using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing;

/// <summary>Answers in the shapes of the OpenAI API reference, for fake upstreams.</summary>
public static class OpenAIUpstreamResponses
{
    /// <summary>A chat completion whose one choice says <paramref name="content"/> and stops.</summary>
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

    /// <summary>A chat completion that calls the tool <c>get_current_weather</c> (call id <c>call_abc123</c>).</summary>
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

    /// <summary>One <c>chat.completion.chunk</c> on one line; <paramref name="role"/> adds the assistant role to the delta.</summary>
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

    /// <inheritdoc cref="HttpResponseExtensions.WriteEventAsync"/>
    /// <remarks>Same as <c>response.WriteEventAsync(data)</c>; kept for the tests written against this name.</remarks>
    public static Task WriteEventAsync(HttpResponse response, string data) => response.WriteEventAsync(data);

    /// <inheritdoc cref="HttpResponseExtensions.WriteJsonAsync"/>
    /// <remarks>Same as <c>response.WriteJsonAsync(json, status)</c>; kept for the tests written against this name.</remarks>
    public static Task WriteJsonAsync(HttpResponse response, string json, int status = 200) => response.WriteJsonAsync(json, status);
}
