using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Reads a JSON request body with a size limit and turns every way it can be wrong (too large, not JSON,
/// a field of the wrong type) into a 4xx <see cref="GatewayError"/> that names the parameter.
/// </summary>
public static class OpenAIRequestReader
{
    /// <summary>The default body limit: large enough for long prompts and inline images.</summary>
    public const long DefaultMaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>The largest body <see cref="ReadJsonBytesRentedAsync"/> reads into a rented array: the pool keeps no larger ones around.</summary>
    public const int MaxRentedBodyBytes = 128 * 1024;

    /// <summary>Reads and parses the body, at most <paramref name="maxBodyBytes"/>; every way it can be wrong is a 4xx error in the result.</summary>
    public static async ValueTask<RequestBody<T>> ReadAsync<T>(
        HttpRequest request,
        JsonTypeInfo<T> typeInfo,
        long maxBodyBytes,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var (body, error) = await ReadJsonBytesAsync(request, maxBodyBytes, cancellationToken);
        return error is null ? Parse(body!, typeInfo) : RequestBody<T>.Failure(error);
    }

    /// <summary>
    /// The bytes of a JSON body, not parsed yet: what <see cref="ReadAsync"/> reads before <see cref="Parse"/>, with the
    /// same 4xx for a media type that is not JSON or a body that cannot be read, for callers with a faster parse of
    /// their own for some bodies (the mock's plain chat requests) that leave the others to <see cref="Parse"/>.
    /// </summary>
    public static ValueTask<(byte[]? Body, GatewayError? Error)> ReadJsonBytesAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentType is { } contentType && !IsJson(contentType)
            ? ValueTask.FromResult<(byte[]?, GatewayError?)>((null, GatewayError.UnsupportedMediaType(contentType)))
            : ReadBytesAsync(request, maxBodyBytes, cancellationToken);
    }

    /// <summary>
    /// The same as <see cref="ReadJsonBytesAsync"/>, for a caller that is done with the bytes when its request ends:
    /// a body of at most <see cref="MaxRentedBodyBytes"/> is read into an array rented from the shared pool, which the
    /// caller gives back with <see cref="RentedBody.Return"/> (a larger one into an array of its own, as there).
    /// </summary>
    public static ValueTask<(RentedBody? Body, GatewayError? Error)> ReadJsonBytesRentedAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentType is { } contentType && !IsJson(contentType)
            ? ValueTask.FromResult<(RentedBody?, GatewayError?)>((null, GatewayError.UnsupportedMediaType(contentType)))
            : ReadBytesAsync(request, maxBodyBytes, rent: true, cancellationToken);
    }

    /// <summary>
    /// Reads a whole body of any type, at most <paramref name="maxBodyBytes"/> (after decoding a
    /// <c>Content-Encoding</c>): its bytes, or the 4xx that says why it could not be read.
    /// </summary>
    public static async ValueTask<(byte[]? Body, GatewayError? Error)> ReadBytesAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        var (body, error) = await ReadBytesAsync(request, maxBodyBytes, rent: false, cancellationToken);
        return (body?.Array, error);
    }

    private static async ValueTask<(RentedBody? Body, GatewayError? Error)> ReadBytesAsync(HttpRequest request, long maxBodyBytes, bool rent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBodyBytes)
        {
            await DrainAsync(request.BodyReader, cancellationToken);
            return (null, GatewayError.PayloadTooLarge(maxBodyBytes));
        }

        // Request decompression (gzip, deflate, br) removes the header from the bodies it decodes: one still here is an encoding nobody can read.
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding)
        {
            return (null, UnsupportedEncoding(encoding.ToString()));
        }

        try
        {
            var read = await ReadBodyAsync(request.BodyReader, request.ContentLength, maxBodyBytes, rent, cancellationToken);
            if (read is null)
            {
                await DrainAsync(request.BodyReader, cancellationToken);
                return (null, GatewayError.PayloadTooLarge(maxBodyBytes));
            }

            return (read, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GatewayError.PayloadTooLarge(maxBodyBytes));
        }
        catch (BadHttpRequestException ex)
        {
            // Broken framing (a bad chunk), a body that stopped arriving, a decoder that gave up: the client's doing.
            return (null, Unreadable(ex.StatusCode, ex.Message));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            // Kestrel reports a chunk size that overflows as an IOException; a decoder, corrupt compressed data so.
            return (null, Unreadable(StatusCodes.Status400BadRequest, ex.Message));
        }
    }

    /// <summary>
    /// JSON by media type: <c>application/json</c>, <c>text/json</c> or an <c>application/…+json</c> type, in UTF-8 (the only charset JSON
    /// allows). A missing type is accepted, as most servers do; anything else that names a type is refused.
    /// </summary>
    public static bool IsJson(string contentType)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        var mediaType = (semicolon < 0 ? span : span[..semicolon]).Trim();
        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            && !(mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (semicolon < 0)
        {
            return true;
        }

        foreach (var range in span[(semicolon + 1)..].Split(';'))
        {
            var parameter = span[(semicolon + 1)..][range].Trim();
            if (parameter.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                var charset = parameter[8..].Trim().Trim('"');
                return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
            }
        }

        return true;
    }

    private static GatewayError Unreadable(int status, string reason) => new()
    {
        StatusCode = status is >= 400 and < 500 ? status : StatusCodes.Status400BadRequest,
        Type = ErrorTypes.InvalidRequest,
        Message = $"The request body could not be read: {reason.TrimEnd('.')}.",
        Code = ErrorCodes.InvalidBody,
    };

    private static GatewayError UnsupportedEncoding(string encoding) => new()
    {
        StatusCode = StatusCodes.Status415UnsupportedMediaType,
        Type = ErrorTypes.InvalidRequest,
        Message = $"The Content-Encoding '{encoding}' is not supported. Send the body as it is, or encoded with one of gzip, deflate or br.",
        Code = ErrorCodes.UnsupportedMediaType,
    };

    /// <summary>Parses a body already in memory; used by the reader and by tests.</summary>
    public static RequestBody<T> Parse<T>(byte[] body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Length == 0 || body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return RequestBody<T>.Failure(GatewayError.InvalidRequest(
                "The request body is empty. Send a JSON object with 'Content-Type: application/json'.",
                code: ErrorCodes.InvalidJson));
        }

        // The JSON reader checks structure, not the text inside strings: text that cannot be decoded would fail later,
        // wherever a stage reads it. Refused here, once, every string of the request can be read.
        if (CheckText(body) is { } invalidText)
        {
            return RequestBody<T>.Failure(invalidText);
        }

        try
        {
            var value = JsonSerializer.Deserialize(body, typeInfo);
            return value is null
                ? RequestBody<T>.Failure(GatewayError.InvalidRequest("The request body must be a JSON object, not null.", code: ErrorCodes.InvalidJson))
                : new RequestBody<T>(value, body, null);
        }
        catch (JsonException ex)
        {
            return RequestBody<T>.Failure(Describe(body, ex, typeInfo));
        }
    }

    /// <summary>
    /// The error for a body that is not UTF-8, or whose strings escape a lone UTF-16 surrogate; null when its text
    /// is sound. One vectorized UTF-8 validation, then a jump from backslash to backslash.
    /// </summary>
    public static GatewayError? CheckText(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return GatewayError.InvalidRequest(
                $"We could not parse the JSON body of your request: it is not valid UTF-8 (byte {FirstInvalidUtf8(body)}). JSON must be sent as UTF-8.",
                code: ErrorCodes.InvalidJson);
        }

        return FindLoneSurrogateEscape(body) is var at and >= 0
            ? GatewayError.InvalidRequest(
                $"We could not parse the JSON body of your request: the escape '{Encoding.ASCII.GetString(body.Slice(at, 6))}' at byte {at} is a lone UTF-16 surrogate, which is not text.",
                code: ErrorCodes.InvalidJson)
            : null;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        var at = 0;
        while (at < body.Length && Rune.DecodeFromUtf8(body[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        return at;
    }

    /// <summary>
    /// Where a <c>\uD800</c>-<c>\uDFFF</c> escape stands without its other half, or -1. Only called on bytes the
    /// caller will parse as JSON; outside strings a backslash is a syntax error the parser reports itself. Jumps
    /// from backslash to backslash, so a body without escapes costs one vectorized search.
    /// </summary>
    internal static int FindLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        // Most bodies have no \u escape at all (clients send non-ASCII as UTF-8): one vectorized search settles it.
        if (json.IndexOf("\\u"u8) < 0)
        {
            return -1;
        }

        var at = 0;
        while (true)
        {
            var next = json[at..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            at += next;
            if (at + 1 >= json.Length)
            {
                return -1;
            }

            if (json[at + 1] != (byte)'u' || !TryHex4(json, at + 2, out var unit))
            {
                // \n, \\, \" and the like; a broken \u escape is the parser's to report.
                at += 2;
                continue;
            }

            if (char.IsLowSurrogate((char)unit))
            {
                return at;
            }

            if (char.IsHighSurrogate((char)unit))
            {
                if (at + 11 < json.Length && json[at + 6] == (byte)'\\' && json[at + 7] == (byte)'u'
                    && TryHex4(json, at + 8, out var low) && char.IsLowSurrogate((char)low))
                {
                    at += 12;
                    continue;
                }

                return at;
            }

            at += 6;
        }
    }

    private static bool TryHex4(ReadOnlySpan<byte> json, int start, out int value)
    {
        value = 0;
        if (start + 4 > json.Length)
        {
            return false;
        }

        for (var i = start; i < start + 4; i++)
        {
            var digit = HexConverter(json[i]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexConverter(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static GatewayError Describe(byte[] body, JsonException ex, JsonTypeInfo typeInfo)
    {
        if (FindSyntaxError(body) is { } syntax)
        {
            return GatewayError.InvalidRequest(
                $"We could not parse the JSON body of your request: {syntax}. The OpenAI API expects a JSON object.",
                code: ErrorCodes.InvalidJson);
        }

        if (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return GatewayError.InvalidRequest("The request body is nested more than 64 levels deep.", code: ErrorCodes.InvalidJson);
        }

        // A converter that reads nested values reports the part of the path below itself separately.
        var param = ToParam(ex.Path) + (ex.Data[MessageContentConverter.ParamSuffixKey] as string);
        if (param.Length == 0)
        {
            return GatewayError.InvalidRequest("The request body must be a JSON object.", code: ErrorCodes.InvalidType);
        }

        var expected = ExpectedJsonType.Describe(typeInfo, param);
        return GatewayError.InvalidRequest(
            expected is null ? $"Invalid value for '{param}'." : $"Invalid type for '{param}': expected {expected}.",
            param,
            ErrorCodes.InvalidType);
    }

    // The serializer reports syntax and type errors with the same exception type; only a syntax check tells them apart.
    private static string? FindSyntaxError(byte[] body)
    {
        // A generous depth here, so that JSON nested past the serializer's limit is not mistaken for bad syntax.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4096 });
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return $"line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}";
        }
    }

    /// <summary>Turns a JSON path (<c>$.messages[0].role</c>) into the API's param form (<c>messages[0].role</c>).</summary>
    internal static string? ToParam(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var param = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return param.Length == 0 ? null : param;
    }

    /// <summary>
    /// Reads and discards the rest of a body that is too large, so that a client still sending it gets the
    /// 413 instead of a broken connection. Nothing is kept; the server's own body limit bounds the work.
    /// </summary>
    private static async ValueTask DrainAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (BadHttpRequestException)
        {
            // Past the server's hard limit: the connection is closed after the answer.
        }
        catch (IOException)
        {
            // The client stopped sending.
        }
    }

    /// <summary>
    /// The whole body, or null past <paramref name="maxBodyBytes"/>. A body that arrives in one read is copied once;
    /// a longer one is copied out read by read, so the server's pooled blocks go back at once. (Kept in the pipe
    /// until complete, a 16 MB body took 16 MB of the pool, which then kept the memory of the largest body seen.)
    /// With <paramref name="rent"/>, a body of at most <see cref="MaxRentedBodyBytes"/> (known from the first read or
    /// the declared length) goes into a rented array; otherwise the array is exactly the body.
    /// </summary>
    private static async ValueTask<RentedBody?> ReadBodyAsync(PipeReader reader, long? contentLength, long maxBodyBytes, bool rent, CancellationToken cancellationToken)
    {
        var limit = Math.Min(maxBodyBytes, Array.MaxLength);
        byte[]? body = null;
        var rented = false;
        var length = 0;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (length + buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                if (rented)
                {
                    ArrayPool<byte>.Shared.Return(body!);
                }

                return null;
            }

            // The arrays are not zeroed first (every byte kept is copied in): for a body of kilobytes, clearing it cost
            // about as much as copying it.
            if (body is null && result.IsCompleted)
            {
                var size = (int)buffer.Length;
                var rentWhole = rent && size <= MaxRentedBodyBytes;
                var whole = rentWhole ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
                buffer.CopyTo(whole);
                reader.AdvanceTo(buffer.End);
                return new RentedBody(whole, size, rentWhole);
            }

            var needed = length + (int)buffer.Length;
            if (needed > (body?.Length ?? 0))
            {
                var declared = contentLength is { } value && value >= needed && value <= limit ? value : (long?)null;
                var grown = declared ?? Math.Min(limit, Math.Max(needed, Math.Max(16 * 1024, 2L * (body?.Length ?? 0))));
                // Only an array of the declared length is rented: it is never outgrown.
                var rentLarger = rent && declared is not null && grown <= MaxRentedBodyBytes;
                var larger = rentLarger ? ArrayPool<byte>.Shared.Rent((int)grown) : GC.AllocateUninitializedArray<byte>((int)grown);
                body?.AsSpan(0, length).CopyTo(larger);
                if (rented)
                {
                    ArrayPool<byte>.Shared.Return(body!);
                }

                body = larger;
                rented = rentLarger;
            }

            buffer.CopyTo(body.AsSpan(length));
            length = needed;
            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return rented ? new RentedBody(body!, length, true)
                    : new RentedBody(length == body!.Length ? body : body[..length], length, false);
            }
        }
    }
}
