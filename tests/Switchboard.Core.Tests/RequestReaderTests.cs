using System.Text;
using Switchboard.Hosting.Http;
using Switchboard.OpenAI;
using Switchboard.Validation;

namespace Switchboard.Core.Tests;

public sealed class RequestReaderTests
{
    private static Errors.GatewayError? ParseError(string json) =>
        OpenAIRequestReader.Parse(Encoding.UTF8.GetBytes(json), OpenAIJsonContext.Default.ChatCompletionRequest).Error;

    [Theory]
    [InlineData("{\"messages\": 5}", "messages")]
    [InlineData("{\"messages\": [{\"role\": 1}]}", "messages[0].role")]
    [InlineData("{\"stream\": \"yes\", \"messages\": []}", "stream")]
    [InlineData("{\"n\": 1.5, \"messages\": []}", "n")]
    [InlineData("{\"tools\": {}, \"messages\": []}", "tools")]
    public void TypeErrorsNameTheParameter(string json, string param)
    {
        var error = ParseError(json);

        Assert.NotNull(error);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_type", error.Code);
    }

    [Theory]
    [InlineData("{\"temperature\": \"hot\", \"messages\": []}", "temperature", "a number")]
    [InlineData("{\"stream\": \"yes\", \"messages\": []}", "stream", "true or false")]
    [InlineData("{\"model\": 5, \"messages\": []}", "model", "a string")]
    [InlineData("{\"model\": \"m\", \"messages\": \"hello\"}", "messages", "an array")]
    [InlineData("{\"max_tokens\": 99999999999999, \"messages\": []}", "max_tokens", "a whole number between -2147483648 and 2147483647")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": 5}]}]}", "messages[0].content[0].text", "a string")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"a\"}, 7]}]}", "messages[0].content[1]", "an object")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", "messages[0].content", "a string or an array of content parts")]
    [InlineData("{\"tools\": [{\"type\": \"function\", \"function\": []}], \"messages\": []}", "tools[0].function", "an object")]
    public void TypeErrorsSayWhatIsExpected(string json, string param, string expected)
    {
        var error = ParseError(json);

        Assert.NotNull(error);
        Assert.Equal(param, error.Param);
        Assert.Equal($"Invalid type for '{param}': expected {expected}.", error.Message);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"model\": 'single'}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("not json")]
    public void SyntaxErrorsAreInvalidJson(string json)
    {
        var error = ParseError(json);

        Assert.NotNull(error);
        Assert.Equal("invalid_json", error.Code);
        Assert.Null(error.Param);
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}", "n")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":2}", "top_p")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"yaml\"}}", "response_format.type")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"always\"}", "tool_choice")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "messages[0].tool_call_id")]
    [InlineData("{\"model\":\"m\",\"messages\":[]}", "messages")]
    public void ValidatorNamesTheParameter(string json, string param)
    {
        var body = OpenAIRequestReader.Parse(Encoding.UTF8.GetBytes(json), OpenAIJsonContext.Default.ChatCompletionRequest);
        Assert.Null(body.Error);

        var error = ChatRequestValidator.Validate(body.Value!);

        Assert.NotNull(error);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void DeeplyNestedJsonIsNotCalledASyntaxError()
    {
        var json = "{\"model\":\"m\",\"metadata\":" + new string('[', 100) + new string(']', 100) + ",\"messages\":[]}";

        var error = ParseError(json);

        Assert.NotNull(error);
        Assert.Contains("64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssistantToolCallWithoutContentIsValid()
    {
        var json = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"1\"}]}";
        var body = OpenAIRequestReader.Parse(Encoding.UTF8.GetBytes(json), OpenAIJsonContext.Default.ChatCompletionRequest);

        Assert.Null(ChatRequestValidator.Validate(body.Value!));
    }

    [Theory]
    [InlineData("{\"model\":\"\\ud800\",\"messages\":[]}")]
    [InlineData("{\"model\":\"\\uDC00\",\"messages\":[]}")]
    [InlineData("{\"model\":\"x\\ud83d\",\"messages\":[]}")]
    [InlineData("{\"model\":\"\\ud83d\\u0041\",\"messages\":[]}")]
    [InlineData("{\"model\":\"\\\\\\ud800\",\"messages\":[]}")]
    public void LoneSurrogateEscapesAreInvalidJson(string json)
    {
        var error = ParseError(json);

        Assert.NotNull(error);
        Assert.Equal("invalid_json", error.Code);
        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\":\"\\ud83d\\ude00\",\"messages\":[]}")]
    [InlineData("{\"model\":\"\\\\ud800\",\"messages\":[]}")]
    [InlineData("{\"model\":\"\\n\\t\\\"\\u00e9\",\"messages\":[]}")]
    public void SoundEscapesAreAccepted(string json) => Assert.Null(ParseError(json));

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("APPLICATION/JSON ; Charset=\"utf8\"", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/json; charset=iso-8859-1", false)]
    [InlineData("text/json", true)]
    [InlineData("text/plain", false)]
    [InlineData("application/jsonx", false)]
    [InlineData("", false)]
    public void JsonIsKnownByItsMediaType(string contentType, bool isJson) =>
        Assert.Equal(isJson, OpenAIRequestReader.IsJson(contentType));
}
