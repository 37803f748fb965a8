using System.Text;
using System.Text.Json;
using Switchboard.OpenAI;
using Switchboard.Text;

namespace Switchboard.Core.Tests;

public sealed class RequestHashTests
{
    private static string Hash(string json, string? model = null) => RequestHash.Compute(Encoding.UTF8.GetBytes(json), model);

    [Fact]
    public void KeyOrderSpacingEscapesAndNumberSpellingDoNotChangeTheHash()
    {
        var a = Hash("""{"model":"m","messages":[{"role":"user","content":"h\u00e9"}],"temperature":0.70,"n":1}""");
        var b = Hash("""
            { "n": 1.0, "temperature": 0.7,
              "messages": [ { "content": "hé", "role": "user" } ], "model": "m" }
            """);

        Assert.Equal(a, b);
        Assert.Equal(64, a.Length);
    }

    [Fact]
    public void WhoAsksAndHowTheAnswerTravelsDoNotChangeTheHashButTheQuestionDoes()
    {
        var plain = Hash("""{"model":"m","messages":[{"role":"user","content":"2 tickets"}]}""");

        Assert.Equal(plain, Hash("""{"model":"m","messages":[{"role":"user","content":"2 tickets"}],"stream":true,"stream_options":{"include_usage":true},"user":"u1"}"""));
        Assert.NotEqual(plain, Hash("""{"model":"m","messages":[{"role":"user","content":"3 tickets"}]}"""));
        Assert.NotEqual(plain, Hash("""{"model":"m","messages":[{"role":"user","content":"2 tickets"}],"temperature":0}"""));
        Assert.NotEqual(plain, Hash("""{"model":"m","messages":[{"role":"system","content":"2 tickets"}]}"""));
    }

    [Fact]
    public void TheResolvedModelStandsInForTheRequestedOne()
    {
        var viaAlias = Hash("""{"model":"4o","messages":[]}""", model: "gpt-4o");
        var byName = Hash("""{"messages":[],"model":"gpt-4o"}""", model: "gpt-4o");

        Assert.Equal(viaAlias, byName);
        Assert.NotEqual(viaAlias, Hash("""{"model":"4o","messages":[]}"""));
    }

    [Fact]
    public void ARequestAStageChangedHashesAsItsSerializedForm()
    {
        var request = new ChatCompletionRequest { Model = "m", Messages = [ChatMessage.User("hi")], Temperature = 0.5 };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request, OpenAIJsonContext.Default.ChatCompletionRequest);

        Assert.Equal(RequestHash.Compute(request, bytes), RequestHash.Compute(request, default));
    }

    [Fact]
    public void CanonicalJsonSortsKeysAndWritesNumbersByValue()
    {
        using var document = JsonDocument.Parse("""{"b":[1.50,2],"a":{"y":true,"x":null},"c":"ü"}""");

        Assert.Equal("""{"a":{"x":null,"y":true},"b":[1.5,2],"c":"ü"}""", CanonicalJson.ToText(document.RootElement));
    }
}
