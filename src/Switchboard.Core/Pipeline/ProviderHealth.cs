namespace Switchboard.Pipeline;

/// <summary>The outcome of a readiness probe of one provider.</summary>
public sealed record ProviderHealth(bool IsHealthy, string? Detail = null)
{
    public static ProviderHealth Healthy { get; } = new(true);

    public static ProviderHealth Unhealthy(string detail) => new(false, detail);
}
