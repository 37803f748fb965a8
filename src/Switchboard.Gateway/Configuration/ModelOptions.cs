namespace Switchboard.Gateway.Configuration;

/// <summary>A public model name (<c>models[]</c>) and the deployments that serve it.</summary>
public sealed class ModelOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Other names clients may use for this model.</summary>
    public List<string> Aliases { get; set; } = [];

    public List<DeploymentOptions> Deployments { get; set; } = [];

    /// <summary>Requests per minute for this model, whoever asks; 0 for no limit.</summary>
    public long Rpm { get; set; }

    /// <summary>Tokens per minute for this model, whoever asks; 0 for no limit.</summary>
    public long Tpm { get; set; }
}
