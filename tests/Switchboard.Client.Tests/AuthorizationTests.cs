namespace Switchboard.Client.Tests;

/// <summary>The API key goes out as a bearer token; without one, no Authorization header at all.</summary>
public sealed class AuthorizationTests
{
    [Theory]
    [InlineData("sk-secret", "Bearer sk-secret")]
    [InlineData(null, null)]
    public async Task ApiKeyIsSentOnlyWhenConfigured(string? apiKey, string? expected)
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json(OpenAIUpstreamResponses.Completion("m", "ok")));
        using var llm = LlmClient.Create(new LlmClientOptions { BaseUrl = new Uri(upstream.BaseUrl + "/v1"), Model = "m", ApiKey = apiKey });

        var answer = await llm.CompleteAsync("hi", cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("/v1/chat/completions", upstream.Last.Path);
        Assert.Equal(expected, upstream.Last.Headers.GetValueOrDefault("Authorization"));
    }
}
