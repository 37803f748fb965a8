using System.ComponentModel;
using System.Globalization;

namespace Switchboard.Caching.Configuration;

/// <summary>Lets the configuration binder read <c>exact: true</c> as <c>exact: {enabled: true}</c> (the documented short form).</summary>
public sealed class SwitchConverter<T> : TypeConverter
    where T : ISwitchable, new()
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && bool.TryParse(text.Trim(), out var enabled)
            ? new T { Enabled = enabled }
            : throw new FormatException($"'{value}' is not true, false or a section of settings.");
}
