using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Core.Tests;

public sealed class WireTypeTests
{
    [Fact]
    public void RequestRoundTripKeepsUnknownFieldsAndContentShapes()
    {
        var json = """
            {"model":"m","messages":[
              {"role":"user","content":"plain"},
              {"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"http://x/y.png"}},{"type":"text","text":"b"}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"42"}],
             "reasoning_effort":"high","vendor":{"x":[1,2]}}
            """;

        var request = JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;
        var written = JsonSerializer.Serialize(request, OpenAIJsonContext.Default.ChatCompletionRequest);
        using var document = JsonDocument.Parse(written);
        var root = document.RootElement;

        Assert.Equal("plain", request.Messages![0].Text);
        Assert.Equal("a\nb", request.Messages[1].Text);
        Assert.Equal(JsonValueKind.String, root.GetProperty("messages")[0].GetProperty("content").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("messages")[1].GetProperty("content").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("messages")[2].GetProperty("content").ValueKind);
        Assert.Equal("f", root.GetProperty("messages")[2].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("high", root.GetProperty("reasoning_effort").GetString());
        Assert.Equal(2, root.GetProperty("vendor").GetProperty("x").GetArrayLength());
        Assert.False(root.TryGetProperty("temperature", out _), "absent fields stay absent");
    }

    [Fact]
    public void ErrorObjectAlwaysCarriesParamAndCode()
    {
        var json = JsonSerializer.Serialize(Errors.GatewayError.NotFound("nope").ToResponse(), OpenAIJsonContext.Default.ErrorResponse);

        Assert.Equal("""{"error":{"message":"nope","type":"invalid_request_error","param":null,"code":null}}""", json);
    }

    [Fact]
    public void RelaxedContextWritesTextAsItself()
    {
        var json = JsonSerializer.Serialize(Errors.GatewayError.NotFound("Zürich's <b>").ToResponse(), OpenAIJsonContext.Relaxed.ErrorResponse);

        Assert.Contains("Zürich's <b>", json, StringComparison.Ordinal);
    }
}
