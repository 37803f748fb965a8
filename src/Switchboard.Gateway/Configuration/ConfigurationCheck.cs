using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// What <see cref="ConfigurationChecker"/> found: every problem (each at its own key), and the values to bind instead
/// of the written ones (durations in the binder's form; bad values removed, so that binding and validation still run
/// and report the rest of the file's problems in the same go).
/// </summary>
public sealed class ConfigurationCheck
{
    private readonly List<ConfigurationProblem> _problems = [];
    private readonly Dictionary<string, string?> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _extensionKeys = [];

    /// <summary>The problems, in the order of the keys.</summary>
    public IReadOnlyList<ConfigurationProblem> Problems => _problems;

    /// <summary>Keys no property reads but an extension dictionary takes (a provider kind's own settings), for their owner to check.</summary>
    public IReadOnlyList<string> ExtensionKeys => _extensionKeys;

    /// <summary>
    /// <paramref name="configuration"/> with the converted values in place and the bad ones left out (absent, so their
    /// properties keep their defaults), as one in-memory configuration.
    /// </summary>
    public IConfiguration Apply(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (_overrides.Count == 0)
        {
            return configuration;
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            // Sections come out as keys without a value; copied, they would be keys whose value is null, which the
            // binder reads as "set this property to null" for a type that also has a short form (`exact: true`).
            if (value is not null)
            {
                data[key] = value;
            }
        }

        foreach (var (key, value) in _overrides)
        {
            if (value is null)
            {
                data.Remove(key);
            }
            else
            {
                data[key] = value;
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    internal void AddProblem(string path, string message) => _problems.Add(new ConfigurationProblem(path, message));

    internal void AddExtension(string path) => _extensionKeys.Add(path);

    internal void Convert(string path, string? value) => _overrides[path] = value;

    internal void Remove(string path, IConfigurationSection section)
    {
        _overrides[path] = null;
        foreach (var (key, _) in section.AsEnumerable())
        {
            _overrides[key] = null;
        }
    }
}
