using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Auth;

/// <summary>Checks <c>auth:</c> at start-up.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>Shorter master keys are refused: it opens the admin API.</summary>
    public const int MinimumMasterKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MasterKey is { Length: > 0 } key && (key.Length < MinimumMasterKeyLength || key.Any(char.IsWhiteSpace)))
        {
            failures.Add($"auth.master_key: must be at least {MinimumMasterKeyLength} characters without spaces (openssl rand -base64 32 makes a good one).");
        }

        if (options.KeyCacheTtl <= TimeSpan.Zero || options.KeyCacheTtl > TimeSpan.FromHours(1))
        {
            failures.Add("auth.key_cache_ttl: must be longer than zero and at most 1h.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
