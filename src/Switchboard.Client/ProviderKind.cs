namespace Switchboard.Client;

/// <summary>What kind of client an <see cref="LlmClient"/> wraps, for the settings only one kind understands.</summary>
internal enum ProviderKind
{
    /// <summary>Microsoft.Extensions.AI.OpenAI over the OpenAI SDK: extras go into the JSON body.</summary>
    OpenAI,

    /// <summary>OllamaSharp: extras are Ollama options; <c>top_p</c> and <c>repeat_penalty</c> get defaults.</summary>
    Ollama,

    /// <summary>Any other <c>IChatClient</c>: extras are passed as <c>ChatOptions.AdditionalProperties</c>.</summary>
    Other,
}
