using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>
/// The <c>content</c> of a message, which the API allows as a plain string or as an array of parts
/// (text, images, audio, files). The original form is kept so that forwarding does not change it.
/// </summary>
[JsonConverter(typeof(MessageContentConverter))]
public sealed record MessageContent
{
    private MessageContent(string? text, IReadOnlyList<ContentPart>? parts)
    {
        PlainText = text;
        Parts = parts;
    }

    /// <summary>The content when it was sent as a string; null when it was an array of parts.</summary>
    public string? PlainText { get; }

    /// <summary>The content parts when it was sent as an array; null when it was a string.</summary>
    public IReadOnlyList<ContentPart>? Parts { get; }

    /// <summary>The text of the content: the string itself, or the text parts joined by new lines.</summary>
    public string Text => PlainText ?? string.Join('\n', Parts!.Where(p => p.Text is not null).Select(p => p.Text));

    public static MessageContent FromText(string text) => new(text, null);

    public static MessageContent FromParts(IReadOnlyList<ContentPart> parts) => new(null, parts);
}
