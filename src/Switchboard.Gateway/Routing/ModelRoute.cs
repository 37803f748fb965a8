namespace Switchboard.Gateway.Routing;

/// <summary>The runtime form of one public model: its deployments and the models to fall back to.</summary>
public sealed record ModelRoute(string Name, IReadOnlyList<Deployment> Deployments, IReadOnlyList<string> Fallbacks);
