namespace Switchboard.Data.Usage;

/// <summary>The dimensions <c>/admin/usage?group_by=</c> accepts, combined freely (<c>key,day</c>).</summary>
[Flags]
public enum UsageGrouping
{
    None = 0,
    Key = 1,
    User = 2,
    Team = 4,
    EndUser = 8,
    Model = 16,
    Day = 32,
}
