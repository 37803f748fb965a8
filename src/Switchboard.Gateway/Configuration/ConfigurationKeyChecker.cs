using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Finds configuration keys that no options property reads, so a typo (<c>base_ur1</c>) stops start-up
/// instead of being silently ignored. The binder's own check does not know <see cref="ConfigurationKeyNameAttribute"/>.
/// </summary>
public static class ConfigurationKeyChecker
{
    /// <summary>The configuration paths (<c>providers:0:base_ur1</c>) that <paramref name="optionsType"/> has no property for.</summary>
    public static IReadOnlyList<string> FindUnknownKeys(IConfiguration configuration, Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(optionsType);
        var unknown = new List<string>();
        CheckObject(configuration, optionsType, unknown);
        return unknown;
    }

    /// <summary>
    /// As <see cref="FindUnknownKeys(IConfiguration, Type)"/>, with top-level sections that features bound on their own
    /// (<c>conversations</c>) checked against their own options types.
    /// </summary>
    public static IReadOnlyList<string> FindUnknownKeys(IConfiguration configuration, Type optionsType, IReadOnlyDictionary<string, Type> featureSections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(featureSections);
        var unknown = new List<string>();
        foreach (var key in FindUnknownKeys(configuration, optionsType))
        {
            var top = key.Split(ConfigurationPath.KeyDelimiter, 2)[0];
            if (!featureSections.ContainsKey(top))
            {
                unknown.Add(key);
            }
        }

        foreach (var (section, type) in featureSections)
        {
            CheckObject(configuration.GetSection(section), type, unknown);
        }

        return unknown;
    }

    private static void CheckObject(IConfiguration section, Type type, List<string> unknown)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (properties.TryGetValue(child.Key, out var propertyType))
            {
                CheckValue(child, propertyType, unknown);
            }
            else
            {
                unknown.Add(child.Path);
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> unknown)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            return;
        }

        var dictionaryValue = GenericArgument(type, typeof(IDictionary<,>), 1);
        var listItem = dictionaryValue is null ? GenericArgument(type, typeof(IList<>), 0) : null;
        if (dictionaryValue is not null || listItem is not null)
        {
            foreach (var child in section.GetChildren())
            {
                CheckValue(child, (dictionaryValue ?? listItem)!, unknown);
            }

            return;
        }

        CheckObject(section, type, unknown);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri);

    private static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        var match = type.IsGenericType && type.GetGenericTypeDefinition() == openInterface
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return match?.GetGenericArguments()[index];
    }
}
