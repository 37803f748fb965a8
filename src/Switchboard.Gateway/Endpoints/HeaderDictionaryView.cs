using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Gateway.Endpoints;

/// <summary>Request headers seen as a read-only string dictionary without copying them.</summary>
public sealed class HeaderDictionaryView(IHeaderDictionary headers) : IReadOnlyDictionary<string, string>
{
    public string this[string key] => headers[key].ToString();

    public IEnumerable<string> Keys => headers.Keys;

    public IEnumerable<string> Values => headers.Values.Select(v => v.ToString());

    public int Count => headers.Count;

    public bool ContainsKey(string key) => headers.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (headers.TryGetValue(key, out var values))
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString())).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
