using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Gateway.Configuration;

/// <summary>Reads durations written for people (<c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>) or as <c>hh:mm:ss</c>.</summary>
public static partial class DurationParser
{
    /// <summary>Reads <paramref name="text"/> as a duration longer than zero; false when it is not one (or too long for <see cref="TimeSpan"/>).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = DurationPattern().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            try
            {
                duration = match.Groups["unit"].Value.ToUpperInvariant() switch
                {
                    "MS" => TimeSpan.FromMilliseconds(amount),
                    "S" or "" => TimeSpan.FromSeconds(amount),
                    "M" => TimeSpan.FromMinutes(amount),
                    _ => TimeSpan.FromHours(amount),
                };
            }
            catch (OverflowException)
            {
                // Longer than TimeSpan can hold (about 29,000 years): not a duration anyone means.
                return false;
            }

            return duration > TimeSpan.Zero;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)\s*(?<unit>ms|s|m|h)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
