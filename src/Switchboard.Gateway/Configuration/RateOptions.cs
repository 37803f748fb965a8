namespace Switchboard.Gateway.Configuration;

/// <summary>A pair of per-minute limits (<c>{rpm: 60, tpm: 100000}</c>); 0 leaves a dimension unlimited.</summary>
public sealed class RateOptions
{
    /// <summary>Requests per minute; 0 for no limit.</summary>
    public long Rpm { get; set; }

    /// <summary>Tokens (prompt and completion) per minute; 0 for no limit.</summary>
    public long Tpm { get; set; }
}
