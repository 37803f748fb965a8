namespace Switchboard.Client;

/// <summary>Which wire protocol <see cref="LlmClient.Create"/> speaks.</summary>
public enum LlmProvider
{
    /// <summary>
    /// The OpenAI chat completions API: the Switchboard gateway, OpenAI, LM Studio, vLLM, llama.cpp and any other
    /// OpenAI-compatible server. <see cref="LlmClientOptions.BaseUrl"/> is the API root including <c>/v1</c>.
    /// </summary>
    OpenAICompatible,

    /// <summary>Ollama's native API (<c>/api/chat</c>); <see cref="LlmClientOptions.BaseUrl"/> is the server root.</summary>
    Ollama,
}
