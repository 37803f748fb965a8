using Microsoft.Extensions.Configuration;
using Switchboard.Configuration;

namespace Switchboard.Providers;

/// <summary>One entry of <c>providers:</c> in the configuration file.</summary>
public sealed record ProviderOptions
{
    /// <summary>The name routes and deployments use to refer to this provider.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>openai</c>, <c>ollama</c> or <c>mock</c>.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The API root, e.g. <c>https://api.openai.com/v1</c> or <c>http://localhost:11434</c>.</summary>
    [ConfigurationKeyName("base_url")]
    public string? BaseUrl { get; set; }

    /// <summary>The upstream key, already resolved from <c>env:NAME</c>.</summary>
    [ConfigurationKeyName("api_key")]
    public string? ApiKey { get; set; }

    /// <summary>How long one upstream call may take before it is answered with 504.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Extra headers sent with every upstream call (organization, project, custom auth).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The entry's other keys, the settings of its kind of provider (the mock's <c>fixtures</c> and <c>watch</c>), as
    /// written (keys case-insensitive, nested keys joined with <c>:</c>). Each <see cref="IChatProviderFactory"/> names
    /// the ones it reads (<see cref="IChatProviderFactory.SettingKeys"/>); any other is an unknown key.
    /// </summary>
    [ConfigurationExtensionData]
    public Dictionary<string, string?> Settings { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}
