using System.Text.Json;

namespace Switchboard.OpenAI;

/// <summary>An answer object read from an upstream, which keeps the fields it does not model.</summary>
public interface IWireObject
{
    IDictionary<string, JsonElement>? AdditionalProperties { get; }

    /// <summary>
    /// True when the upstream put an <c>error</c> object where an answer was expected (some servers answer
    /// 200, or send an SSE event, that carries only an error).
    /// </summary>
    bool CarriesError => AdditionalProperties?.ContainsKey("error") == true;
}
