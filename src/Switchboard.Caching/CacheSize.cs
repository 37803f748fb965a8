namespace Switchboard.Caching;

/// <summary>How much a store holds.</summary>
public readonly record struct CacheSize(long Entries, long Bytes);
