using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.Errors;
using Switchboard.Mock.Serialization;
using Switchboard.OpenAI;
using Switchboard.Tokens;

namespace Switchboard.Mock.Embeddings;

/// <summary>
/// Embeddings without a model: each input text seeds a generator with its SHA-256, so the same text always
/// gives the same unit-length vector and different texts give unrelated ones.
/// </summary>
public static class DeterministicEmbeddings
{
    /// <summary>The length of a vector when the request does not ask for <c>dimensions</c> (as text-embedding-3-small).</summary>
    public const int DefaultDimensions = 1536;

    /// <summary>
    /// The most numbers one answer holds (inputs × dimensions): 2048 inputs of 2048 dimensions, about 45 MB of JSON.
    /// 2048 inputs at 16,384 dimensions would be 434 MB from a 12 KB request.
    /// </summary>
    public const int MaxNumbers = 2048 * 2048;

    /// <summary>The unit-length vector of a text.</summary>
    public static float[] Create(string text, int dimensions = DefaultDimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        var state = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        var vector = new float[dimensions];
        double sum = 0;
        for (var i = 0; i < dimensions; i++)
        {
            // SplitMix64: small, fast and good enough to spread values evenly in [-1, 1).
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var value = ((z >> 11) * (1.0 / (1UL << 53)) * 2) - 1;
            vector[i] = (float)value;
            sum += value * value;
        }

        var norm = (float)Math.Sqrt(sum);
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }

    /// <summary>The 400 for a request whose answer would hold more than <see cref="MaxNumbers"/> numbers; null when it is fine.</summary>
    public static GatewayError? TooLarge(EmbeddingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inputs = request.Input is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0 && list[0].ValueKind != JsonValueKind.Number
            ? list.GetArrayLength()
            : 1;
        var dimensions = request.Dimensions ?? DefaultDimensions;
        return (long)inputs * dimensions <= MaxNumbers
            ? null
            : GatewayError.InvalidRequest(
                $"{inputs} inputs of {dimensions} dimensions would make an answer of {(long)inputs * dimensions} numbers, more than this server's limit of {MaxNumbers}. Ask for fewer dimensions or send fewer inputs per request.",
                request.Dimensions is null ? "input" : "dimensions",
                ErrorCodes.InvalidValue);
    }

    /// <summary>
    /// Answers an embedding request: one vector per input, as floats or base64 as asked, with token usage (counted
    /// for the first <see cref="TiktokenTokenCounter.MaxExactChars"/> characters of all inputs together, estimated
    /// beyond). Check <see cref="TooLarge"/> first.
    /// </summary>
    public static EmbeddingResponse Respond(EmbeddingRequest request, ITokenCounter tokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tokens);
        var dimensions = request.Dimensions ?? DefaultDimensions;
        var base64 = string.Equals(request.EncodingFormat, "base64", StringComparison.Ordinal);
        var data = new List<EmbeddingData>();
        var promptTokens = 0;
        long exactLeft = TiktokenTokenCounter.MaxExactChars;
        foreach (var (text, tokenCount) in Inputs(request.Input))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = Create(text, dimensions);
            if (tokenCount is { } given)
            {
                promptTokens += given;
            }
            else if (exactLeft > 0)
            {
                promptTokens += tokens.CountTokens(text, cancellationToken);
                exactLeft -= text.Length;
            }
            else
            {
                promptTokens += (text.Length + TiktokenTokenCounter.CharsPerEstimatedToken - 1) / TiktokenTokenCounter.CharsPerEstimatedToken;
            }

            var embedding = base64
                ? JsonSerializer.SerializeToElement(ToBase64(vector), MockJsonContext.Default.String)
                : JsonSerializer.SerializeToElement(vector, MockJsonContext.Default.SingleArray);
            data.Add(new EmbeddingData { Index = data.Count, Embedding = embedding });
        }

        return new EmbeddingResponse
        {
            Data = data,
            Model = string.IsNullOrEmpty(request.Model) ? MockModels.Embedding : request.Model,
            Usage = Usage.Of(promptTokens, 0),
        };
    }

    private static string ToBase64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    // Token-id inputs have no text; their JSON stands in for it, and their length is their token count.
    private static IEnumerable<(string Text, int? Tokens)> Inputs(JsonElement? input)
    {
        if (input is not { } value)
        {
            yield break;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            yield return (value.GetString()!, null);
            yield break;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        if (value.GetArrayLength() > 0 && value[0].ValueKind == JsonValueKind.Number)
        {
            yield return (value.GetRawText(), value.GetArrayLength());
            yield break;
        }

        foreach (var item in value.EnumerateArray())
        {
            yield return item.ValueKind == JsonValueKind.String
                ? (item.GetString()!, null)
                : (item.GetRawText(), item.ValueKind == JsonValueKind.Array ? item.GetArrayLength() : 1);
        }
    }
}
