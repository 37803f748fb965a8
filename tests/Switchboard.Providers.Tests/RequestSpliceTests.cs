using System.Text;
using System.Text.Json;
using Switchboard.Providers.OpenAICompatible;

namespace Switchboard.Providers.Tests;

public sealed class RequestSpliceTests
{
    private static string? Splice(string json, string model, bool includeStreamUsage = false) =>
        RequestSplice.Apply(Encoding.UTF8.GetBytes(json), model, includeStreamUsage) is { } spliced ? Encoding.UTF8.GetString(spliced.Span) : null;

    [Theory]
    [InlineData("""{"model":"a","messages":[]}""", "gpt-4o", """{"model":"gpt-4o","messages":[]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"x","model":"inner"}], "model" : "a" }""", "b", """{"messages":[{"role":"user","content":"x","model":"inner"}], "model" : "b" }""")]
    [InlineData("""{"\u006dodel":"a"}""", "b", """{"\u006dodel":"b"}""")]
    [InlineData("""{"model":"a\"b"}""", "x/y \"z\"", """{"model":"x/y \u0022z\u0022"}""")]
    [InlineData("""{"model":"same","n":1.50}""", "same", """{"model":"same","n":1.50}""")]
    public void OnlyTheTopLevelModelValueChanges(string json, string model, string expected) =>
        Assert.Equal(expected, Splice(json, model));

    [Theory]
    [InlineData("""{"model":"a","model":"b"}""")]
    [InlineData("""{"model":7}""")]
    [InlineData("""{"model":null}""")]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""[{"model":"a"}]""")]
    [InlineData("")]
    public void BytesWithoutExactlyOneModelStringAreNotUsed(string json) => Assert.Null(Splice(json, "b"));

    [Fact]
    public void AnUnchangedModelForwardsTheSameMemory()
    {
        ReadOnlyMemory<byte> json = Encoding.UTF8.GetBytes("""{"model":"m","messages":[]}""");

        Assert.True(RequestSplice.Apply(json, "m")!.Value.Equals(json));
    }

    [Theory]
    [InlineData("""{"model":"a","stream":true}""", """{"stream_options":{"include_usage":true},"model":"b","stream":true}""")]
    [InlineData("""{"stream":true,"stream_options":{},"model":"a"}""", """{"stream":true,"stream_options":{"include_usage":true},"model":"b"}""")]
    [InlineData("""{"stream_options":{"x":1},"model":"a"}""", """{"stream_options":{"include_usage":true,"x":1},"model":"b"}""")]
    [InlineData("""{"model":"a","stream_options":{"include_usage":false,"x":1}}""", """{"model":"b","stream_options":{"include_usage":true,"x":1}}""")]
    [InlineData("""{"model":"a","stream_options":{"include_usage":{"odd":[1]}}}""", """{"model":"b","stream_options":{"include_usage":true}}""")]
    [InlineData("""{"model":"a","stream_options":null}""", """{"model":"b","stream_options":{"include_usage":true}}""")]
    [InlineData("""{"model":"a","stream_options":{"include_usage":true}}""", """{"model":"b","stream_options":{"include_usage":true}}""")]
    public void StreamUsageIsAskedForInTheSameEdit(string json, string expected)
    {
        var spliced = Splice(json, "b", includeStreamUsage: true);

        Assert.Equal(expected, spliced);
        using var document = JsonDocument.Parse(spliced!);
        Assert.True(document.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public void StreamUsageAloneChangesTheBytesWhenTheModelDoesNot()
    {
        Assert.Equal("""{"stream_options":{"include_usage":true},"model":"m"}""", Splice("""{"model":"m"}""", "m", includeStreamUsage: true));
        Assert.Equal("""{"model":"m","stream_options":{"include_usage":true}}""", Splice("""{"model":"m","stream_options":{"include_usage":true}}""", "m", includeStreamUsage: true));
    }

    [Theory]
    [InlineData("""{"model":"a","stream_options":{"include_usage":true},"stream_options":{}}""")]
    [InlineData("""{"model":"a","stream_options":{"include_usage":false,"include_usage":false}}""")]
    [InlineData("""{"model":"a","stream_options":"yes"}""")]
    public void StreamOptionsThatCannotBeEditedSafelyAreSerializedInstead(string json) =>
        Assert.Null(Splice(json, "b", includeStreamUsage: true));
}
