using System.Globalization;

namespace Switchboard.Client;

/// <summary>
/// How an <see cref="LlmClient"/> reaches its model and the defaults of every call. Bound from configuration by
/// <see cref="LlmClientServiceCollectionExtensions.AddLlmClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>
/// (keys are the property names), read from <c>LLM_*</c> variables by <see cref="FromEnvironment()"/>, or set in code.
/// </summary>
/// <remarks>Settable rather than init-only so that the options pattern can bind and post-configure it.</remarks>
public sealed record LlmClientOptions
{
    /// <summary>Where <see cref="LlmProvider.OpenAICompatible"/> goes without a <see cref="BaseUrl"/>: <c>switchboard serve</c> on its default port.</summary>
    public static readonly Uri DefaultOpenAIBaseUrl = new("http://127.0.0.1:4000/v1");

    /// <summary>Where <see cref="LlmProvider.Ollama"/> goes without a <see cref="BaseUrl"/>: Ollama on its default port.</summary>
    public static readonly Uri DefaultOllamaBaseUrl = new("http://127.0.0.1:11434");

    /// <summary>The sampling temperature when none is configured.</summary>
    public const float DefaultTemperature = 0.7f;

    /// <summary>The answer's token limit when none is configured.</summary>
    public const int DefaultMaxTokens = 500;

    /// <summary>Ollama's <c>top_p</c> when neither <see cref="TopP"/> nor the request sets one.</summary>
    public const float DefaultOllamaTopP = 0.9f;

    /// <summary>Ollama's <c>repeat_penalty</c> when neither <see cref="RepeatPenalty"/> nor the request sets one.</summary>
    public const float DefaultOllamaRepeatPenalty = 1.1f;

    /// <summary>The wire protocol (<c>LLM_PROVIDER</c>: <c>openai</c>, the default, or <c>ollama</c>).</summary>
    public LlmProvider Provider { get; set; } = LlmProvider.OpenAICompatible;

    /// <summary>
    /// The server (<c>LLM_BASE_URL</c>): for OpenAI-compatible servers the API root including <c>/v1</c>
    /// (<c>http://localhost:1234/v1</c> for LM Studio), for Ollama the server root. Default
    /// <see cref="DefaultOpenAIBaseUrl"/> or <see cref="DefaultOllamaBaseUrl"/>.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer …</c> (<c>LLM_API_KEY</c>); none is sent when null.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model of every call that does not name one (<c>LLM_MODEL</c>). A call with no model at all fails with <see cref="LlmErrorKind.InvalidRequest"/>.</summary>
    public string? Model { get; set; }

    /// <summary>Sampling temperature (<c>LLM_TEMPERATURE</c>), 0 to 2; null leaves it to the server.</summary>
    public float? Temperature { get; set; } = DefaultTemperature;

    /// <summary>The most tokens an answer may have (<c>LLM_MAX_TOKENS</c>); null leaves it to the server.</summary>
    public int? MaxTokens { get; set; } = DefaultMaxTokens;

    /// <summary>Nucleus sampling (<c>LLM_TOP_P</c>), 0 to 1; null leaves it to the server (Ollama: <see cref="DefaultOllamaTopP"/>).</summary>
    public float? TopP { get; set; }

    /// <summary>
    /// Penalty on repeated tokens (<c>LLM_REPEAT_PENALTY</c>), sent as <c>repeat_penalty</c>; null leaves it to the
    /// server (Ollama: <see cref="DefaultOllamaRepeatPenalty"/>).
    /// </summary>
    public float? RepeatPenalty { get; set; }

    /// <summary>A system message put before every call's messages (<c>LLM_SYSTEM_PROMPT</c>), unless the call gives its own.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>
    /// The longest one call may take, retries and their waits included (<c>LLM_TIMEOUT</c>, in seconds or as
    /// <c>30s</c>, <c>2m</c>); then it ends with <see cref="LlmErrorKind.Timeout"/>. Default 100 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Extra attempts after a 408, 429, 5xx or a failed connection (<c>LLM_MAX_RETRIES</c>, 0 to 10; default 0: no
    /// retries). Waits grow exponentially from <see cref="RetryDelay"/>, with jitter, or as long as the server's
    /// <c>retry-after</c> says. A stream is never retried once its answer started. Applies to clients made by
    /// <see cref="LlmClient.Create"/> or dependency injection.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>The wait before the first retry; later ones double it. Default 1 second.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Keep answers this long and answer the same request (messages and options) from the cache (<c>LLM_CACHE_TTL</c>,
    /// in seconds or as <c>10m</c>); null, the default, caches nothing. The cache is the registered
    /// <c>IDistributedCache</c> (Redis, SQL Server...) or one in memory. Applies to clients made by
    /// <see cref="LlmClient.Create"/> or dependency injection.
    /// </summary>
    public TimeSpan? CacheTtl { get; set; }

    /// <summary>
    /// Clean answers before returning them (<c>LLM_CLEAN_RESPONSES</c>): by default <see cref="SwitchboardResponseCleaner"/>,
    /// the gateway's cleaner, removes reasoning blocks (<c>&lt;think&gt;…&lt;/think&gt;</c>) that local reasoning models
    /// put in the content, inner monologue and stray role tags.
    /// </summary>
    public bool CleanResponses { get; set; }

    /// <summary>
    /// Reads the options from the process's environment variables: <c>LLM_PROVIDER</c> (<c>openai</c> or
    /// <c>ollama</c>), <c>LLM_BASE_URL</c>, <c>LLM_API_KEY</c>, <c>LLM_MODEL</c>, <c>LLM_TEMPERATURE</c> (default 0.7),
    /// <c>LLM_MAX_TOKENS</c> (default 500), and optionally <c>LLM_TOP_P</c>, <c>LLM_REPEAT_PENALTY</c>,
    /// <c>LLM_SYSTEM_PROMPT</c>, <c>LLM_TIMEOUT</c>, <c>LLM_MAX_RETRIES</c>, <c>LLM_CACHE_TTL</c>, <c>LLM_CLEAN_RESPONSES</c>.
    /// Unset or empty variables keep their defaults.
    /// </summary>
    /// <exception cref="FormatException">A variable's value cannot be read; the message names the variable.</exception>
    public static LlmClientOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads the same variables as <see cref="FromEnvironment()"/> through <paramref name="getVariable"/> (a dictionary, a test's settings).</summary>
    /// <param name="getVariable">Returns a variable's value, or null when it is not set.</param>
    /// <exception cref="FormatException">A variable's value cannot be read; the message names the variable.</exception>
    public static LlmClientOptions FromEnvironment(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        string? Get(string name) => getVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var options = new LlmClientOptions();
        if (Get("LLM_PROVIDER") is { } provider)
        {
            options.Provider = provider.ToUpperInvariant() switch
            {
                "OPENAI" or "OPENAI-COMPATIBLE" or "OPENAICOMPATIBLE" => LlmProvider.OpenAICompatible,
                "OLLAMA" => LlmProvider.Ollama,
                _ => throw Bad("LLM_PROVIDER", provider, "'openai' (any OpenAI-compatible server) or 'ollama'"),
            };
        }

        if (Get("LLM_BASE_URL") is { } baseUrl)
        {
            options.BaseUrl = Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri
                : throw Bad("LLM_BASE_URL", baseUrl, "an http:// or https:// URL such as http://localhost:1234/v1");
        }

        options.ApiKey = Get("LLM_API_KEY");
        options.Model = Get("LLM_MODEL");
        options.SystemPrompt = Get("LLM_SYSTEM_PROMPT");
        options.Temperature = ReadFloat(Get, "LLM_TEMPERATURE") ?? DefaultTemperature;
        options.MaxTokens = ReadInt(Get, "LLM_MAX_TOKENS") ?? DefaultMaxTokens;
        options.TopP = ReadFloat(Get, "LLM_TOP_P");
        options.RepeatPenalty = ReadFloat(Get, "LLM_REPEAT_PENALTY");
        options.MaxRetries = ReadInt(Get, "LLM_MAX_RETRIES") ?? 0;
        if (Get("LLM_TIMEOUT") is { } timeout)
        {
            options.Timeout = DurationText.TryParse(timeout) ?? throw Bad("LLM_TIMEOUT", timeout, "seconds (30) or a duration such as 30s, 500ms, 2m");
        }

        if (Get("LLM_CACHE_TTL") is { } ttl)
        {
            options.CacheTtl = DurationText.TryParse(ttl) ?? throw Bad("LLM_CACHE_TTL", ttl, "seconds (600) or a duration such as 10m, 1h");
        }

        if (Get("LLM_CLEAN_RESPONSES") is { } clean)
        {
            options.CleanResponses = bool.TryParse(clean, out var flag) ? flag
                : clean == "1" || (clean == "0" ? false : throw Bad("LLM_CLEAN_RESPONSES", clean, "true or false"));
        }

        return options;
    }

    /// <summary>The server this client calls: <see cref="BaseUrl"/> or the provider's default.</summary>
    internal Uri EffectiveBaseUrl => BaseUrl ?? (Provider == LlmProvider.Ollama ? DefaultOllamaBaseUrl : DefaultOpenAIBaseUrl);

    private static float? ReadFloat(Func<string, string?> get, string name) => get(name) is not { } text ? null
        : float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value) ? value
        : throw Bad(name, text, "a number such as 0.7");

    private static int? ReadInt(Func<string, string?> get, string name) => get(name) is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw Bad(name, text, "a whole number such as 500");

    private static FormatException Bad(string name, string value, string expected) =>
        new($"{name} is '{value}': expected {expected}.");
}
