namespace Switchboard.Gateway.Dashboard;

/// <summary>What the request log stage keeps: records for the dashboard, and/or one JSON log line per request.</summary>
/// <param name="JsonLines">Write a log line per request (<c>--log-format json</c>).</param>
/// <param name="Dashboard">Keep requests for the dashboard (<c>ui.enabled</c>).</param>
public sealed record RequestLogSettings(bool JsonLines = false, bool Dashboard = false);
