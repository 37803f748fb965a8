using System.Text.Json;

namespace Switchboard.Providers.Upstream;

/// <summary>
/// What an upstream error body says, read from known shapes only: OpenAI's <c>{"error":{"message",...}}</c>,
/// Ollama's <c>{"error":"..."}</c>, and the flat <c>{"message"}</c> / <c>{"detail"}</c> some servers use.
/// The raw body is never kept, so it cannot reach a client.
/// </summary>
internal readonly record struct UpstreamErrorDetail(string? Message, string? Param, string? Code)
{
    private const int MaxMessageLength = 1000;

    public static UpstreamErrorDetail None => default;

    public static UpstreamErrorDetail Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return None;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            return FromElement(document.RootElement);
        }
        catch (JsonException)
        {
            return None;
        }
    }

    public static UpstreamErrorDetail FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return None;
        }

        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return new(Clean(error.GetString()), null, null);
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return new(Clean(GetString(error, "message")), GetString(error, "param"), GetScalar(error, "code"));
            }
        }

        var message = GetString(root, "message") ?? GetString(root, "detail");
        return new(Clean(message), GetString(root, "param"), null);
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? GetScalar(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static string? Clean(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        message = message.Trim();
        return message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "…");
    }
}
