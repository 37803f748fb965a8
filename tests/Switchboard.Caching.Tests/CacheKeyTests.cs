using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Caching.Tests;

/// <summary>What makes two requests the same for the exact cache: the canonical request hash, without who asks and how the answer travels.</summary>
public sealed class CacheKeyTests
{
    private static ChatCompletionRequest Request(string json) =>
        JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;

    [Fact]
    public void RequestsThatAskTheSameHaveOneKeyHoweverTheyAreWritten()
    {
        var a = Request("""{"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":1.0,"extra":{"b":2,"a":1}}""");
        var b = Request("""{"extra":{"a":1,"b":2},"top_k":1,"stream":true,"stream_options":{"include_usage":true},"user":"u","messages":[{"content":"hi","role":"user"}],"model":"other"}""");

        Assert.Equal(CacheKeys.Exact(a, "resolved"), CacheKeys.Exact(b, "resolved"));
    }

    [Fact]
    public void WhatChangesTheAnswerChangesTheKey()
    {
        var plain = Request("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");
        var warmer = Request("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.5}""");

        Assert.NotEqual(CacheKeys.Exact(plain, "resolved"), CacheKeys.Exact(warmer, "resolved"));
        Assert.NotEqual(CacheKeys.Exact(plain, "resolved"), CacheKeys.Exact(plain, "another"));
    }
}
