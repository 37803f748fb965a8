namespace Switchboard.Data.Usage;

/// <summary>What one key spent in a range, in nano-USD.</summary>
internal sealed record KeySpend(string KeyId, long NanoUsd);
