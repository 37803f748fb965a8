namespace Switchboard.Providers;

/// <summary>The provider kinds Switchboard ships.</summary>
public static class ProviderTypes
{
    public const string OpenAI = "openai";
    public const string Ollama = "ollama";
    public const string Mock = "mock";
}
