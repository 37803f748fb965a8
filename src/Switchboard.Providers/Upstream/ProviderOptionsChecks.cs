namespace Switchboard.Providers.Upstream;

/// <summary>Checks of <see cref="ProviderOptions"/> that every provider kind shares; each problem names its key.</summary>
internal static class ProviderOptionsChecks
{
    public static List<string> Common(ProviderOptions options, bool baseUrlRequired)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var key = $"providers[{options.Name}]";
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            problems.Add("providers[].name is required.");
        }

        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            if (baseUrlRequired)
            {
                problems.Add($"{key}.base_url is required (for example https://api.openai.com/v1 or http://localhost:1234/v1).");
            }
        }
        else if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{key}.base_url must be an absolute http:// or https:// URL, got '{options.BaseUrl}'.");
        }
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            problems.Add($"{key}.base_url must not have a query or fragment, got '{options.BaseUrl}'.");
        }

        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            problems.Add($"{key}.timeout must be positive, got '{timeout}'.");
        }

        foreach (var (name, value) in options.Headers)
        {
            if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAny(" :\r\n") >= 0)
            {
                problems.Add($"{key}.headers has an invalid header name '{name}'.");
            }
            else if (value is null || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                problems.Add($"{key}.headers.{name} must be a single-line value.");
            }
        }

        return problems;
    }
}
