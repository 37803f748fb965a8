using System.Text.Json;
using Switchboard.Errors;

namespace Switchboard.Streaming;

/// <summary>What <see cref="ChunkScanner.Scan"/> learned about one event without building objects.</summary>
/// <param name="IsChunk">A JSON object shaped like a chunk (no <c>error</c>, <c>choices</c> an array of objects if present).</param>
/// <param name="Choices">The choice indexes the event carries, one bit each (index 63 and above share the last bit).</param>
/// <param name="FinishedChoices">The choice indexes that have a <c>finish_reason</c> in this event.</param>
/// <param name="HasUsage">The event carries a <c>usage</c> object.</param>
public readonly record struct ChunkScan(bool IsChunk, ulong Choices, ulong FinishedChoices, bool HasUsage)
{
    /// <summary>
    /// A choice's delta carries something: content, a tool call, a refusal or any other field that is not empty
    /// (reasoning text, say). A role with empty content, which servers send first, carries nothing.
    /// </summary>
    public bool CarriesContent { get; init; }

    /// <summary>
    /// A choice ends here, or this is the usage event that follows the last choice (usage and no choices).
    /// Usage on a chunk that still carries content (vLLM's continuous usage) does not end anything.
    /// </summary>
    public bool Finishes => FinishedChoices != 0 || (HasUsage && Choices == 0);

    /// <summary>The bit of a choice index in <see cref="Choices"/> and <see cref="FinishedChoices"/>.</summary>
    public static ulong Bit(int index) => 1UL << Math.Clamp(index, 0, 63);
}

/// <summary>
/// Checks an upstream SSE event in one forward pass of <see cref="Utf8JsonReader"/> (valid JSON, an object,
/// not an error, <c>choices</c> and <c>usage</c> of the right kinds) and notes whether it finishes the
/// stream: what the gateway needs to forward an event as it came, at a fraction of the cost of parsing it.
/// </summary>
public static class ChunkScanner
{
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>Scans one event's data; <see cref="ChunkScan.IsChunk"/> is false for anything but a well-formed chunk.</summary>
    public static ChunkScan Scan(ReadOnlySpan<byte> data)
    {
        try
        {
            return ScanObject(data);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>
    /// The error for an event that is not a chunk. An upstream's own error message is not in its message: like the
    /// body of a 5xx it can carry internals (hosts, queries, credentials), so it goes only to the log, as
    /// <see cref="GatewayError.UpstreamMessage"/> (at most 1,000 characters).
    /// </summary>
    public static GatewayError DescribeBadEvent(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return NotAChunk();
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (!isError)
                {
                    reader.Skip();
                    continue;
                }

                string? said;
                try
                {
                    said = ErrorMessage(ref reader);
                }
                catch (InvalidOperationException)
                {
                    // Text that cannot be decoded (a lone surrogate): there is no message to log.
                    said = null;
                }

                return GatewayError.BadGateway("The upstream reported an error in the middle of the stream.") with
                {
                    UpstreamMessage = said is { Length: > 1000 } ? said[..1000] + "…" : said ?? "no details",
                };
            }

            // Only an object that is also valid JSON to its end is "not a chunk" rather than "not JSON".
            while (reader.Read())
            {
            }

            return NotAChunk();
        }
        catch (JsonException)
        {
            return GatewayError.BadGateway("The upstream sent a stream chunk that is not valid JSON.");
        }
    }

    private static ChunkScan ScanObject(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        ulong choices = 0, finished = 0;
        var hasUsage = false;
        var carriesContent = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray || !ScanChoices(ref reader, ref choices, ref finished, ref carriesContent))
                {
                    return default;
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    hasUsage = true;
                    reader.Skip();
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return default;
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                return default;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // The object must close and nothing but whitespace may follow it.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return default;
        }

        return new ChunkScan(true, choices, finished, hasUsage) { CarriesContent = carriesContent };
    }

    /// <summary>Reads a <c>choices</c> array up to its end, noting each choice's index and whether it finished.</summary>
    private static bool ScanChoices(ref Utf8JsonReader reader, ref ulong choices, ref ulong finished, ref bool carriesContent)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var index = 0;
            var finishes = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out index))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                    {
                        return false;
                    }

                    finishes = reader.TokenType == JsonTokenType.String;
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        carriesContent |= DeltaCarriesContent(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            choices |= ChunkScan.Bit(index);
            if (finishes)
            {
                finished |= ChunkScan.Bit(index);
            }
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>
    /// Reads a delta object to its end: true when a field other than <c>role</c> has a value that is not null, an
    /// empty string, an empty array or an empty object.
    /// </summary>
    private static bool DeltaCarriesContent(ref Utf8JsonReader reader)
    {
        var carries = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRole = reader.ValueTextEquals("role"u8);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    break;
                case JsonTokenType.String:
                    carries |= !isRole && reader.ValueSpan.Length > 0;
                    break;
                case JsonTokenType.StartArray or JsonTokenType.StartObject:
                    var depth = reader.CurrentDepth;
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject && reader.CurrentDepth == depth)
                    {
                        break;
                    }

                    carries |= !isRole;
                    while (!(reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject))
                    {
                        reader.Read();
                    }

                    break;
                default:
                    carries |= !isRole;
                    break;
            }
        }

        return carries;
    }

    private static string? ErrorMessage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                message = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return message;
    }

    private static GatewayError NotAChunk() =>
        GatewayError.BadGateway("The upstream sent a stream event that is not a chat completion chunk.");
}
