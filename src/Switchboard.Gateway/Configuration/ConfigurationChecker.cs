using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Switchboard.Configuration;
using Switchboard.Text;

namespace Switchboard.Gateway.Configuration;

/// <summary>
/// Walks a configuration along the options classes it binds to, before binding, and finds every problem binding
/// would stop at or silently ignore, all in one pass: keys no property reads (with the closest known key as a
/// suggestion: <c>baseurl</c> → <c>base_url</c>), values that are not of their property's type
/// (<c>port: four thousand</c>), sections written as values and values written as sections. Durations are read
/// by property type: any <see cref="TimeSpan"/> key takes <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c> or
/// <c>00:00:30</c>. The binder's own unknown-key check does not know <see cref="ConfigurationKeyNameAttribute"/>.
/// </summary>
public static class ConfigurationChecker
{
    /// <summary>Checks <paramref name="configuration"/> against <paramref name="optionsType"/> and everything it contains.</summary>
    public static ConfigurationCheck Check(IConfiguration configuration, Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(optionsType);
        var check = new ConfigurationCheck();
        CheckObject(configuration, optionsType, check);
        return check;
    }

    /// <summary>
    /// As <see cref="Check(IConfiguration, Type)"/>, with top-level sections that features bind on their own
    /// (<c>conversations</c>) checked against their own options types.
    /// </summary>
    public static ConfigurationCheck Check(IConfiguration configuration, Type optionsType, IReadOnlyDictionary<string, Type> featureSections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(featureSections);
        var check = new ConfigurationCheck();
        CheckObject(configuration, optionsType, check, featureSections);
        return check;
    }

    /// <summary>The names an options class reads (its properties, or their <see cref="ConfigurationKeyNameAttribute"/>), for suggestions.</summary>
    public static IReadOnlyCollection<string> KeysOf(Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        return [.. Properties(optionsType).Where(p => p.GetCustomAttribute<ConfigurationExtensionDataAttribute>() is null).Select(KeyOf)];
    }

    /// <summary>
    /// The known key closest to <paramref name="unknown"/>: the same but for case, <c>_</c> and <c>-</c>, else at most
    /// two edits away (one for short keys); null when none is that close.
    /// </summary>
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(unknown);
        ArgumentNullException.ThrowIfNull(known);
        var wanted = Normalize(unknown);
        string? best = null;
        var bestDistance = wanted.Length <= 4 ? 2 : 3;
        foreach (var key in known)
        {
            var candidate = Normalize(key);
            if (candidate == wanted)
            {
                return key;
            }

            var distance = EditDistance.Between(wanted, candidate);
            if (distance < bestDistance)
            {
                best = key;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>The message for an unknown key, with a suggestion when there is one.</summary>
    public static string UnknownKey(string key, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Suggest(key, known) is { } suggestion
            ? $"unknown key; did you mean '{suggestion}'?"
            : "unknown key; check its spelling against the configuration reference in the README.";
    }

    private static void CheckObject(IConfiguration section, Type type, ConfigurationCheck check, IReadOnlyDictionary<string, Type>? featureSections = null)
    {
        var properties = Properties(type);
        var byKey = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        PropertyInfo? extension = null;
        foreach (var property in properties)
        {
            if (property.GetCustomAttribute<ConfigurationExtensionDataAttribute>() is not null)
            {
                extension = property;
            }
            else
            {
                byKey[KeyOf(property)] = property;
            }
        }

        foreach (var child in section.GetChildren())
        {
            if (byKey.TryGetValue(child.Key, out var property))
            {
                CheckValue(child, property.PropertyType, check);
            }
            else if (featureSections is not null && featureSections.TryGetValue(child.Key, out var featureType))
            {
                CheckValue(child, featureType, check);
            }
            else if (extension is not null)
            {
                check.AddExtension(child.Path);
            }
            else
            {
                check.AddProblem(child.Path, UnknownKey(child.Key, featureSections is null ? byKey.Keys : byKey.Keys.Concat(featureSections.Keys)));
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, ConfigurationCheck check)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var hasChildren = section.GetChildren().Any();
        if (IsScalar(type))
        {
            if (hasChildren)
            {
                check.AddProblem(section.Path, $"expected {Expected(type)}, not a section.");
                check.Remove(section.Path, section);
            }
            else if (section.Value is { } value)
            {
                CheckScalar(section.Path, value, type, check);
            }

            return;
        }

        // A section that also has a short form of one value (`exact: true` for `exact: {enabled: true}`) says so with
        // a type converter from text; the value is judged by that converter.
        if (!hasChildren && section.Value is { } text && ShortForm(type) is { } converter)
        {
            try
            {
                _ = converter.ConvertFromInvariantString(text);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException)
            {
                check.AddProblem(section.Path, ex.Message.EndsWith('.') ? ex.Message : ex.Message + ".");
                check.Remove(section.Path, section);
            }

            return;
        }

        var dictionaryValue = GenericArgument(type, typeof(IDictionary<,>), 1);
        var listItem = dictionaryValue is null ? GenericArgument(type, typeof(IList<>), 0) : null;
        if (!hasChildren)
        {
            // A mapping or list written as one value (`routing: fast`, `aliases: 4o`): binding would drop it silently.
            if (!string.IsNullOrEmpty(section.Value))
            {
                check.AddProblem(section.Path, listItem is not null
                    ? $"'{section.Value}' is not a list; write [{section.Value}] or one '- item' per line."
                    : $"'{section.Value}' is not a section; write its keys below it.");
                check.Remove(section.Path, section);
            }

            return;
        }

        if (dictionaryValue is not null || listItem is not null)
        {
            foreach (var child in section.GetChildren())
            {
                if (listItem is not null && !int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    check.AddProblem(section.Path, "expected a list ('- item' lines or [a, b]), not a section.");
                    check.Remove(section.Path, section);
                    return;
                }

                CheckValue(child, (dictionaryValue ?? listItem)!, check);
            }

            return;
        }

        CheckObject(section, type, check);
    }

    private static void CheckScalar(string path, string value, Type type, ConfigurationCheck check)
    {
        if (type == typeof(TimeSpan))
        {
            if (DurationParser.TryParse(value, out var duration))
            {
                check.Convert(path, duration.ToString("c", CultureInfo.InvariantCulture));
            }
            else
            {
                check.AddProblem(path, $"'{value}' is not a duration longer than zero; write e.g. 30s, 500ms, 2m or 00:00:30.");
                check.Convert(path, null);
            }

            return;
        }

        var valid = type switch
        {
            _ when type == typeof(string) || type == typeof(Uri) || type == typeof(object) => true,
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _),
            _ => true,
        };
        if (!valid)
        {
            check.AddProblem(path, $"'{value}' is not {Expected(type)}.");
            check.Convert(path, null);
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 30s",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)).ToLowerInvariant(),
        _ => "a single value",
    };

    private static PropertyInfo[] Properties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)];

    private static string KeyOf(PropertyInfo property) => property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name.ToLowerInvariant();

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(object);

    private static TypeConverter? ShortForm(Type type)
    {
        if (type.GetCustomAttribute<TypeConverterAttribute>() is null)
        {
            return null;
        }

        var converter = TypeDescriptor.GetConverter(type);
        return converter.CanConvertFrom(typeof(string)) ? converter : null;
    }

    private static Type? GenericArgument(Type type, Type openInterface, int index)
    {
        var match = type.IsGenericType && type.GetGenericTypeDefinition() == openInterface
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return match?.GetGenericArguments()[index];
    }

    private static string Normalize(string key) => key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
