namespace Switchboard.Gateway.Configuration;

/// <summary>One routing rule: requests whose model matches <see cref="Match"/> go to <see cref="Model"/>.</summary>
public sealed class RoutingRule
{
    /// <summary>A glob on the requested model name (<c>*</c> any run, <c>?</c> one character).</summary>
    public string Match { get; set; } = string.Empty;

    /// <summary>The model (<c>models[].name</c>) a matching request goes to.</summary>
    public string Model { get; set; } = string.Empty;
}
