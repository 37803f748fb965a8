namespace Switchboard.Caching.Configuration;

/// <summary>Options that may be written as a plain <c>true</c>/<c>false</c> instead of an object.</summary>
public interface ISwitchable
{
    bool Enabled { get; set; }
}
