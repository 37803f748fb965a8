namespace Switchboard.Configuration;

/// <summary>
/// Marks the dictionary that receives the keys of a configuration section that no other property of its class
/// reads (a provider kind's own settings, such as the mock's <c>fixtures</c>). The gateway's configuration check
/// does not report those keys as unknown; whoever reads the dictionary checks them.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ConfigurationExtensionDataAttribute : Attribute
{
}
