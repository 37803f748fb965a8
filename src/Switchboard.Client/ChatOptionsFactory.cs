using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace Switchboard.Client;

/// <summary>Builds one call's <see cref="ChatOptions"/> from the client's defaults and the call's own settings.</summary>
internal static class ChatOptionsFactory
{
    public const string RepeatPenalty = "repeat_penalty";

    public static ChatOptions Create(LlmClientOptions defaults, LlmRequestOptions? request, string model, ProviderKind kind)
    {
        var ollama = kind == ProviderKind.Ollama;
        var options = new ChatOptions
        {
            ModelId = model,
            Temperature = request?.Temperature ?? defaults.Temperature,
            MaxOutputTokens = request?.MaxTokens ?? defaults.MaxTokens,
            TopP = request?.TopP ?? defaults.TopP ?? (ollama ? LlmClientOptions.DefaultOllamaTopP : null),
        };

        if (request?.Stop is { Count: > 0 } stop)
        {
            options.StopSequences = [.. stop];
        }

        var extras = new AdditionalPropertiesDictionary();
        if ((defaults.RepeatPenalty ?? (ollama ? LlmClientOptions.DefaultOllamaRepeatPenalty : null)) is { } penalty)
        {
            extras[RepeatPenalty] = penalty;
        }

        if (request?.AdditionalProperties is { } more)
        {
            foreach (var (name, value) in more)
            {
                extras[name] = value;
            }
        }

        if (extras.Count > 0)
        {
            // Kept here too: the response cache's key is computed from these options.
            options.AdditionalProperties = extras;
            if (kind == ProviderKind.OpenAI)
            {
                options.RawRepresentationFactory = _ => ToOpenAIOptions(extras);
            }
        }

        return options;
    }

    /// <summary>Whether a provider-specific field name can go into the JSON body as it is.</summary>
    public static bool IsPlainName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The OpenAI SDK knows only OpenAI's fields; the others are written into the body through its JSON patch.</summary>
    private static ChatCompletionOptions ToOpenAIOptions(AdditionalPropertiesDictionary extras)
    {
        var options = new ChatCompletionOptions();
        foreach (var (name, value) in extras)
        {
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it is the SDK's documented way to send fields it does not model.
            var path = System.Text.Encoding.UTF8.GetBytes("$." + name);
            if (value is null)
            {
                options.Patch.SetNull(path);
            }
            else
            {
                options.Patch.Set(path, JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())));
            }
#pragma warning restore SCME0001
        }

        return options;
    }
}
