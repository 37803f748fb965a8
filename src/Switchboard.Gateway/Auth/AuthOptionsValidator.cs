using Microsoft.Extensions.Options;

namespace Switchboard.Gateway.Auth;

/// <summary>Checks <c>auth:</c> at start-up.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>Shorter master keys are refused: it opens the admin API.</summary>
    public const int MinimumMasterKeyLength = 16;

    /// <summary>The most client addresses <c>auth.failed_key_addresses</c> may keep (about 100 bytes each).</summary>
    public const int MaxTrackedAddresses = 1_000_000;

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

        if (options.FailedKeyLimit < 0)
        {
            failures.Add($"auth.failed_key_limit: must be 0 (no limit) or more, not {options.FailedKeyLimit}.");
        }

        if (options.FailedKeyWindow <= TimeSpan.Zero || options.FailedKeyWindow > TimeSpan.FromDays(1))
        {
            failures.Add("auth.failed_key_window: must be longer than zero and at most 24h.");
        }

        if (options.FailedKeyAddresses is < 1 or > MaxTrackedAddresses)
        {
            failures.Add($"auth.failed_key_addresses: must be between 1 and {MaxTrackedAddresses}, not {options.FailedKeyAddresses}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
