using System.Text;
using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Core.Tests;

/// <summary>A message's text reads the same as System.Text.Json's own reading of the string, escapes and all.</summary>
public sealed class MessageContentConverterTests
{
    [Theory]
    [InlineData("plain text, nothing escaped")]
    [InlineData(@"## Task\nline two\n\n---\n\n## Conversation History\nUSER: What\u0027s up?\nAI: \""quoted\"" and \\ and \/")]
    [InlineData(@"controls \b\f\r\t and \u0000 and \u001f")]
    [InlineData(@"\u00e9l\u00e8ve \u65e5\u672c and raw élève 日本 and 😀")]
    [InlineData(@"a pair \ud83d\ude00 escaped and \uD83D\uDE00 in capitals")]
    [InlineData(@"\u0041\u00Ff\uABCD\uabcd")]
    public void Reads_the_same_text_as_the_json_reader(string escapedContent)
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + escapedContent + "\"}]}");
        using var document = JsonDocument.Parse(body);
        var expected = document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString();

        var request = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ChatCompletionRequest)!;

        Assert.Equal(expected, request.Messages![0].Text);
    }

    [Theory]
    [InlineData(@"a lone \ud83d high surrogate")]
    [InlineData(@"a lone \ude00 low surrogate")]
    public void A_lone_surrogate_is_refused_as_the_json_reader_refuses_it(string escapedContent)
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + escapedContent + "\"}]}");
        using var document = JsonDocument.Parse(body);
        Assert.Throws<InvalidOperationException>(() => document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());

        // The serializer reports the reader's refusal as a JsonException, which the request reader turns into a 400.
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ChatCompletionRequest));
    }
}
