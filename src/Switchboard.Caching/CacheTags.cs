namespace Switchboard.Caching;

/// <summary>What an entry is filed under, for purging and for the admin report.</summary>
/// <param name="Namespace">The caller's partition and the request's namespace header, e.g. <c>key:key_01|support</c>.</param>
/// <param name="Model">The model after routing.</param>
public readonly record struct CacheTags(string Namespace, string Model);
