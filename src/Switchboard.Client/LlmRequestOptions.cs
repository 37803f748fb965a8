namespace Switchboard.Client;

/// <summary>Settings for one call; each one given here wins over the client's <see cref="LlmClientOptions"/>.</summary>
public sealed record LlmRequestOptions
{
    /// <summary>The model to ask for; default <see cref="LlmClientOptions.Model"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Sampling temperature; default <see cref="LlmClientOptions.Temperature"/>.</summary>
    public float? Temperature { get; init; }

    /// <summary>The most tokens the answer may have; default <see cref="LlmClientOptions.MaxTokens"/>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Nucleus sampling; default <see cref="LlmClientOptions.TopP"/>.</summary>
    public float? TopP { get; init; }

    /// <summary>A system message put before the prompt or messages; default <see cref="LlmClientOptions.SystemPrompt"/>.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Sequences at which the model stops.</summary>
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>
    /// Provider-specific fields, by their wire name: for OpenAI-compatible servers each one is added to the request's
    /// JSON body (<c>seed</c>, <c>repeat_penalty</c>, <c>top_k</c>...); for Ollama the names of its <c>options</c>
    /// (<c>num_ctx</c>, <c>repeat_penalty</c>, <c>top_k</c>...) and <c>keep_alive</c>. Values are JSON-serializable.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? AdditionalProperties { get; init; }
}
