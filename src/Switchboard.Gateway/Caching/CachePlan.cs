using Switchboard.Caching;
using Switchboard.Caching.Semantic;

namespace Switchboard.Gateway.Caching;

/// <summary>
/// What the caches do for one request, decided by the lookup stage on the way in and read by the store stage on
/// the way back (kept in <see cref="Pipeline.GatewayContext.Items"/> under <see cref="ItemKey"/>).
/// </summary>
internal sealed class CachePlan
{
    /// <summary>The key of the plan in <see cref="Pipeline.GatewayContext.Items"/>.</summary>
    public const string ItemKey = "switchboard.cache.plan";

    /// <summary>Whether the caches are asked (false for <c>Cache-Control: no-cache</c>).</summary>
    public required bool Lookup { get; init; }

    /// <summary>Whether the answer is stored; cleared by a hit (the answer is already there).</summary>
    public bool Store { get; set; }

    /// <summary>The model after routing.</summary>
    public required string Model { get; init; }

    /// <summary>Where the entries are filed (namespace and model).</summary>
    public required CacheTags Tags { get; init; }

    /// <summary>The exact cache's key; null when the exact cache does not take this request.</summary>
    public string? ExactKey { get; init; }

    /// <summary>The semantic form of the request; null when the semantic cache does not take it.</summary>
    public SemanticQuery? Semantic { get; set; }

    /// <summary>The vector of <see cref="Semantic"/> once embedded (by the lookup), so storing does not embed again.</summary>
    public float[]? Vector { get; set; }
}
