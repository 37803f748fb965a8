using System.Buffers;
using System.IO.Pipelines;
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
        if (request.ContentLength > maxBodyBytes)
        {
            await DrainAsync(request.BodyReader, cancellationToken);
            return RequestBody<T>.Failure(GatewayError.PayloadTooLarge(maxBodyBytes));
        }

        if (request.ContentType is { } contentType && contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return RequestBody<T>.Failure(GatewayError.UnsupportedMediaType(contentType));
        }

        byte[] body;
        try
        {
            var read = await ReadBodyAsync(request.BodyReader, maxBodyBytes, cancellationToken);
            if (read is null)
            {
                await DrainAsync(request.BodyReader, cancellationToken);
                return RequestBody<T>.Failure(GatewayError.PayloadTooLarge(maxBodyBytes));
            }

            body = read;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return RequestBody<T>.Failure(GatewayError.PayloadTooLarge(maxBodyBytes));
        }

        return Parse(body, typeInfo);
    }

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

    private static async ValueTask<byte[]?> ReadBodyAsync(PipeReader reader, long maxBodyBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > maxBodyBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            // Keep everything buffered until the body is complete.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
