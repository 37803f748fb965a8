using System.Globalization;

namespace Switchboard.Data.Keys;

/// <summary>Reads the human forms of key settings shared by the CLI and the admin API: budgets, model lists, expiry dates.</summary>
public static class KeySpecParser
{
    /// <summary>
    /// Applies <c>USD</c>, <c>USD/day</c>, <c>USD/month</c> or <c>USD/total</c> (a plain amount is a total budget)
    /// to <paramref name="spec"/>; returns the problem, or null.
    /// </summary>
    public static string? ApplyBudget(ref KeySpec spec, string text)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().TrimStart('$').Split('/', 2, StringSplitOptions.TrimEntries);
        if (!decimal.TryParse(parts[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return $"'{text}' is not a budget; write an amount in USD greater than 0, optionally with /day, /month or /total (e.g. 10/day).";
        }

        switch (parts.Length == 1 ? "total" : parts[1].ToLowerInvariant())
        {
            case "day" or "daily" or "d":
                spec = spec with { BudgetDailyUsd = amount };
                return null;
            case "month" or "monthly" or "mo":
                spec = spec with { BudgetMonthlyUsd = amount };
                return null;
            case "total":
                spec = spec with { BudgetTotalUsd = amount };
                return null;
            default:
                return $"'{text}': the period must be day, month or total.";
        }
    }

    /// <summary>Splits <c>a,b*</c> into globs.</summary>
    public static IReadOnlyList<string> ParseModels(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Reads an expiry: an ISO date (<c>2026-12-31</c>, the end of that UTC day), a date and time
    /// (<c>2026-12-31T18:00:00Z</c>), or a span from now (<c>30d</c>, <c>12h</c>).
    /// </summary>
    public static DateTimeOffset? ParseExpiry(string text, DateTimeOffset now, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        text = text.Trim();
        if (text.Length >= 2 && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            switch (text[^1])
            {
                case 'd':
                    return now.AddDays(count);
                case 'h':
                    return now.AddHours(count);
                case 'm':
                    return now.AddMinutes(count);
            }
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
        {
            return moment;
        }

        problem = $"'{text}' is not a date; write 2026-12-31, 2026-12-31T18:00:00Z or a span such as 30d or 12h.";
        return null;
    }

    /// <summary>The problems of <paramref name="spec"/> (empty when it can be created).</summary>
    public static IReadOnlyList<string> Validate(KeySpec spec, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(spec.Name) || spec.Name.Length > 200)
        {
            problems.Add("name: a key needs a name of 1 to 200 characters.");
        }

        if (spec.Rpm is <= 0)
        {
            problems.Add("rpm: must be greater than 0.");
        }

        if (spec.Tpm is <= 0)
        {
            problems.Add("tpm: must be greater than 0.");
        }

        if (spec.BudgetDailyUsd is <= 0 || spec.BudgetMonthlyUsd is <= 0 || spec.BudgetTotalUsd is <= 0)
        {
            problems.Add("budget: must be greater than 0.");
        }

        if (spec.ExpiresAt <= now)
        {
            problems.Add("expires: must be in the future.");
        }

        if (spec.AllowedModels.Any(m => m.Contains(',', StringComparison.Ordinal)))
        {
            problems.Add("models: a model pattern cannot contain a comma.");
        }

        return problems;
    }
}
