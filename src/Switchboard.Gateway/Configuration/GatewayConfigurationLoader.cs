using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Builds the gateway's configuration: the file (YAML or JSON) or the embedded default, then
/// <c>SWITCHBOARD__Section__Key</c> environment variables, then <c>env:NAME</c> secrets resolved. Problems become
/// one-line <see cref="ConfigurationFileException"/>s. Durations and every other type are read by
/// <see cref="ConfigurationChecker"/>, which knows each key's type.
/// </summary>
public static class GatewayConfigurationLoader
{
    /// <summary>The prefix of environment variables that override the file (<c>SWITCHBOARD__Routing__Retries=3</c>).</summary>
    public const string EnvironmentPrefix = "SWITCHBOARD__";

    /// <summary>What <c>switchboard serve</c> runs with no file: the built-in mock provider, no upstream needed.</summary>
    public static IReadOnlyDictionary<string, string?> EmbeddedDefault { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["providers:0:name"] = "mock",
        ["providers:0:type"] = "mock",
        ["models:0:name"] = "mock-echo",
        ["models:0:deployments:0:provider"] = "mock",
        ["models:0:deployments:0:model"] = "mock-echo",
        ["models:1:name"] = "mock-embedding",
        ["models:1:deployments:0:provider"] = "mock",
        ["models:1:deployments:0:model"] = "mock-embedding",
    };

    /// <param name="path">The configuration file, or null for the embedded default.</param>
    /// <param name="environment">Environment variables; null reads the process's own.</param>
    public static IConfiguration Load(string? path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        environment ??= ReadProcessEnvironment();
        var source = path is null ? "embedded default" : Path.GetFileName(path);
        var fileData = path is null ? EmbeddedDefault : ReadFile(path);

        var overrides = environment
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => e.Key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), e => e.Value, StringComparer.OrdinalIgnoreCase);

        var raw = new ConfigurationBuilder()
            .AddInMemoryCollection(fileData)
            .AddInMemoryCollection(overrides)
            .Build();

        var resolved = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in raw.AsEnumerable())
        {
            if (value is null)
            {
                continue;
            }

            if (value.StartsWith("env:", StringComparison.Ordinal))
            {
                var name = value[4..].Trim();
                if (!environment.TryGetValue(name, out var secret) || string.IsNullOrEmpty(secret))
                {
                    throw new ConfigurationFileException($"{source}: {DisplayKey(key)}: the environment variable {name} is not set.");
                }

                resolved[key] = secret;
            }
        }

        // The master key may come from the environment alone, without an auth section in the file.
        if (raw["auth:master_key"] is null && environment.TryGetValue("SWITCHBOARD_MASTER_KEY", out var masterKey) && !string.IsNullOrEmpty(masterKey))
        {
            resolved["auth:master_key"] = masterKey;
        }

        return new ConfigurationBuilder()
            .AddConfiguration(raw)
            .AddInMemoryCollection(resolved)
            .Build();
    }

    /// <summary>Turns a configuration key (<c>providers:0:api_key</c>) into the file's spelling (<c>providers[0].api_key</c>).</summary>
    public static string DisplayKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // Keys are case-insensitive; the file reference spells them in lower case.
        var parts = key.ToLowerInvariant().Split(ConfigurationPath.KeyDelimiter);
        var result = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                result.Append('[').Append(part).Append(']');
            }
            else
            {
                if (result.Length > 0)
                {
                    result.Append('.');
                }

                result.Append(part);
            }
        }

        return result.ToString();
    }

    private static Dictionary<string, string?> ReadFile(string path)
    {
        var name = Path.GetFileName(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationFileException($"{path}: cannot read the configuration file: {ex.Message}", ex);
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? new Dictionary<string, string?>(ParseJson(text, name), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string?>(YamlConfigurationParser.Parse(text, name), StringComparer.OrdinalIgnoreCase);
    }

    private static Dictionary<string, string?> ParseJson(string text, string name)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationFileException($"{name}: the top level must be an object of sections (providers, models, routing, ...).");
            }

            Flatten(document.RootElement, null, data);
        }
        catch (JsonException ex)
        {
            throw new ConfigurationFileException($"{name}:{(ex.LineNumber ?? 0) + 1}: not valid JSON: {ex.Message.Split(" LineNumber", 2)[0].TrimEnd('.')}", ex);
        }

        return data;
    }

    private static void Flatten(JsonElement element, string? path, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, path is null ? property.Name : ConfigurationPath.Combine(path, property.Name), data);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, ConfigurationPath.Combine(path ?? string.Empty, (index++).ToString(CultureInfo.InvariantCulture)), data);
                }

                break;
            case JsonValueKind.Null:
                data[path ?? string.Empty] = null;
                break;
            case JsonValueKind.String:
                data[path ?? string.Empty] = element.GetString();
                break;
            default:
                data[path ?? string.Empty] = element.GetRawText();
                break;
        }
    }

    private static Dictionary<string, string?> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }

        return result;
    }
}
