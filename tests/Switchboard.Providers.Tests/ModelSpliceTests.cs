using System.Text;
using Switchboard.Providers.OpenAICompatible;

namespace Switchboard.Providers.Tests;

public sealed class ModelSpliceTests
{
    private static string? Splice(string json, string model) =>
        ModelSplice.Apply(Encoding.UTF8.GetBytes(json), model) is { } spliced ? Encoding.UTF8.GetString(spliced.Span) : null;

    [Theory]
    [InlineData("""{"model":"a","messages":[]}""", "gpt-4o", """{"model":"gpt-4o","messages":[]}""")]
    [InlineData("""{"messages":[{"role":"user","content":"x","model":"inner"}], "model" : "a" }""", "b", """{"messages":[{"role":"user","content":"x","model":"inner"}], "model" : "b" }""")]
    [InlineData("""{"\u006dodel":"a"}""", "b", """{"\u006dodel":"b"}""")]
    [InlineData("""{"model":"a\"b"}""", "x/y \"z\"", """{"model":"x/y \u0022z\u0022"}""")]
    [InlineData("""{"model":"same","n":1.50}""", "same", """{"model":"same","n":1.50}""")]
    public void Only_the_top_level_model_value_changes(string json, string model, string expected) =>
        Assert.Equal(expected, Splice(json, model));

    [Theory]
    [InlineData("""{"model":"a","model":"b"}""")]
    [InlineData("""{"model":7}""")]
    [InlineData("""{"model":null}""")]
    [InlineData("""{"messages":[]}""")]
    [InlineData("""[{"model":"a"}]""")]
    [InlineData("")]
    public void Bytes_without_exactly_one_model_string_are_not_used(string json) => Assert.Null(Splice(json, "b"));

    [Fact]
    public void An_unchanged_model_forwards_the_same_memory()
    {
        ReadOnlyMemory<byte> json = Encoding.UTF8.GetBytes("""{"model":"m","messages":[]}""");

        Assert.True(ModelSplice.Apply(json, "m")!.Value.Equals(json));
    }
}
