namespace Switchboard.Gateway.Telemetry;

/// <summary><c>telemetry.prometheus:</c> the scrape endpoint.</summary>
public sealed class PrometheusOptions
{
    /// <summary>Serves the metrics in the Prometheus text format at <see cref="Path"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The scrape path.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// A port of its own for the scrape endpoint (then it is not on the public port and needs no key); null or 0
    /// serves it on the public port, behind the master key (loopback callers only when there is none).
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The address the separate <see cref="Port"/> listens on.</summary>
    public string Host { get; set; } = "127.0.0.1";
}
