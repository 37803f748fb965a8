using Microsoft.Extensions.Configuration;
using Switchboard.Providers;

namespace Switchboard.Gateway.Configuration;

/// <summary>Copies the keys of each <c>providers[]</c> entry that no <see cref="ProviderOptions"/> property reads into its <see cref="ProviderOptions.Settings"/>.</summary>
internal static class ProviderSettings
{
    private static readonly HashSet<string> CommonKeys = new(ConfigurationChecker.KeysOf(typeof(ProviderOptions)), StringComparer.OrdinalIgnoreCase);

    public static void Fill(SwitchboardOptions options, IConfiguration configuration)
    {
        var entries = configuration.GetSection("providers").GetChildren().ToList();
        for (var i = 0; i < options.Providers.Count && i < entries.Count; i++)
        {
            var settings = options.Providers[i].Settings;
            foreach (var child in entries[i].GetChildren())
            {
                if (CommonKeys.Contains(child.Key))
                {
                    continue;
                }

                if (child.Value is not null)
                {
                    settings[child.Key] = child.Value;
                }

                // Nested settings keep their path below the entry (a:b); the section itself is not among them.
                foreach (var (key, value) in child.AsEnumerable(makePathsRelative: true))
                {
                    if (value is not null)
                    {
                        settings[ConfigurationPath.Combine(child.Key, key)] = value;
                    }
                }
            }
        }
    }
}
