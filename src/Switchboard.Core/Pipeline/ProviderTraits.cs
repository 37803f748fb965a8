namespace Switchboard.Pipeline;

/// <summary>What a provider says about itself, so the gateway treats it right without knowing its kind.</summary>
[Flags]
public enum ProviderTraits
{
    /// <summary>An upstream like any other.</summary>
    None = 0,

    /// <summary>
    /// Its answers and failures are scripted (the built-in mock's fixtures): a failure is one a test asked for, not
    /// a sign of ill health, so its deployments' circuits never open.
    /// </summary>
    Scripted = 1,
}
