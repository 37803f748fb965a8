using Microsoft.Extensions.Configuration;
using Switchboard.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Flattens a YAML document into configuration keys (<c>providers:0:base_url</c>), the form every
/// <see cref="IConfiguration"/> source produces, so YAML files bind and override like JSON files do.
/// </summary>
public static class YamlConfigurationParser
{
    /// <summary>Parses YAML text; a syntax error becomes a <see cref="ConfigurationFileException"/> naming the line.</summary>
    public static IDictionary<string, string?> Parse(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var data = new SortedDictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new BoundedYamlParser(new StringReader(yaml)));
        }
        catch (YamlException ex)
        {
            throw new ConfigurationFileException(
                $"{sourceName}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {InnermostMessage(ex)}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return data;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationFileException($"{sourceName}: the top level must be a mapping of sections (providers:, models:, routing:, ...).");
        }

        Visit(root, null, data, sourceName);
        return data;
    }

    private static void Visit(YamlNode node, string? path, IDictionary<string, string?> data, string sourceName)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                if (mapping.Children.Count == 0 && path is not null)
                {
                    data[path] = null;
                }

                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value
                        ?? throw new ConfigurationFileException($"{sourceName}:{key.Start.Line}: keys must be plain names.");
                    Visit(value, path is null ? name : ConfigurationPath.Combine(path, name), data, sourceName);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], ConfigurationPath.Combine(path ?? string.Empty, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data, sourceName);
                }

                break;
            case YamlScalarNode scalar:
                data[path ?? string.Empty] = IsNull(scalar) ? null : scalar.Value;
                break;
            default:
                throw new ConfigurationFileException($"{sourceName}:{node.Start.Line}: unsupported YAML node at '{path}'.");
        }
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string InnermostMessage(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message.TrimEnd('.');
    }
}
