using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Dashboard;

/// <summary><c>ui:</c> the web dashboard at <c>/ui</c>.</summary>
public sealed class UiOptions
{
    /// <summary>Serves the dashboard and keeps recent requests for it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many finished requests the live log and request details keep in memory.</summary>
    [ConfigurationKeyName("recent_requests")]
    public int RecentRequests { get; set; } = 1000;
}
