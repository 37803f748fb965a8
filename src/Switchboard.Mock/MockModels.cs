namespace Switchboard.Mock;

/// <summary>Model names the mock knows without fixtures.</summary>
public static class MockModels
{
    /// <summary>The built-in deterministic model that answers with the last user message.</summary>
    public const string Echo = "mock-echo";

    /// <summary>The built-in embedding model (any name works; this one is listed).</summary>
    public const string Embedding = "mock-embedding";
}
