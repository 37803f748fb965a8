namespace Switchboard.Gateway.Dashboard;

/// <summary>Which requests a list or the live log shows: every given field must match (model and key by substring).</summary>
public sealed record RequestFilter(string? Model = null, string? Key = null, int? Status = null, bool ErrorsOnly = false)
{
    public bool Matches(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (Model is null || record.Model.Contains(Model, StringComparison.OrdinalIgnoreCase) || (record.ServedModel?.Contains(Model, StringComparison.OrdinalIgnoreCase) ?? false))
            && (Key is null || (record.KeyPrefix?.Contains(Key, StringComparison.OrdinalIgnoreCase) ?? false) || (record.KeyName?.Contains(Key, StringComparison.OrdinalIgnoreCase) ?? false))
            && (Status is null || record.Status == Status)
            && (!ErrorsOnly || record.Status >= 400);
    }
}
