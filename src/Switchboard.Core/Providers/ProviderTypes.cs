namespace Switchboard.Providers;

/// <summary>The upstream provider kinds Switchboard ships (the built-in mock names its own kind).</summary>
public static class ProviderTypes
{
    /// <summary>Any server that speaks the OpenAI chat API.</summary>
    public const string OpenAI = "openai";

    /// <summary>Ollama's native API.</summary>
    public const string Ollama = "ollama";
}
