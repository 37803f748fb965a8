using Microsoft.Extensions.Options;

namespace Switchboard.Client;

/// <summary>Checks <see cref="LlmClientOptions"/> at start-up; each problem names its configuration key.</summary>
/// <param name="prefix">The configuration section the options come from (<c>Llm</c>), to name keys as they are written.</param>
internal sealed class LlmClientOptionsValidator(string? prefix) : IValidateOptions<LlmClientOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options).Select(p => string.IsNullOrEmpty(prefix) ? p : prefix + ":" + p).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem, for clients built without dependency injection.</summary>
    public static void ThrowIfInvalid(LlmClientOptions options)
    {
        var result = new LlmClientOptionsValidator(null).Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LlmClientOptions), result.Failures);
        }
    }

    private static IEnumerable<string> Problems(LlmClientOptions o)
    {
        if (!Enum.IsDefined(o.Provider))
        {
            yield return $"Provider: '{o.Provider}' is not a provider; use OpenAICompatible or Ollama.";
        }

        if (o.BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return $"BaseUrl: '{url}' must be an absolute http:// or https:// URL, such as http://localhost:1234/v1.";
        }

        if (o.Temperature is { } temperature && (!float.IsFinite(temperature) || temperature < 0 || temperature > 2))
        {
            yield return $"Temperature: must be between 0 and 2 (was {temperature}).";
        }

        if (o.MaxTokens is <= 0)
        {
            yield return $"MaxTokens: must be a positive number of tokens (was {o.MaxTokens}).";
        }

        if (o.TopP is { } topP && (!float.IsFinite(topP) || topP < 0 || topP > 1))
        {
            yield return $"TopP: must be between 0 and 1 (was {topP}).";
        }

        if (o.RepeatPenalty is { } penalty && (!float.IsFinite(penalty) || penalty <= 0))
        {
            yield return $"RepeatPenalty: must be greater than 0 (was {penalty}).";
        }

        if (o.Timeout <= TimeSpan.Zero && o.Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            yield return $"Timeout: must be longer than zero (was {o.Timeout}).";
        }

        if (o.MaxRetries is < 0 or > 10)
        {
            yield return $"MaxRetries: must be between 0 and 10 (was {o.MaxRetries}).";
        }

        if (o.RetryDelay < TimeSpan.Zero || o.RetryDelay > TimeSpan.FromMinutes(10))
        {
            yield return $"RetryDelay: must be between 0 and 10 minutes (was {o.RetryDelay}).";
        }

        if (o.CacheTtl is { } ttl && ttl <= TimeSpan.Zero)
        {
            yield return $"CacheTtl: must be longer than zero, or unset to cache nothing (was {ttl}).";
        }
    }
}
