using OpenAI.Chat;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>
/// A fixture without <c>match:</c> (or with an empty one) is a catch-all at its priority, as docs/mock.md promises
/// and as a WireMock mapping without request matchers is: it answers what nothing more specific does.
/// </summary>
public sealed class CatchAllFixtureTests : IAsyncLifetime
{
    private const string Fixtures = """
        - name: no match block
          response: caught by the catch-all
        - name: empty match block
          priority: -1
          match: {}
          response: never, a lower priority
        - name: hello
          match: { last_user: hello }
          response: hi there
        """;

    private MockLlmServer _mock = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _mock = await MockLlmServer.StartAsync(b => b.AddYaml(Fixtures), Ct);

    public async ValueTask DisposeAsync() => await _mock.DisposeAsync();

    [Theory]
    [InlineData("gpt-4o", "anything at all")]
    [InlineData("some-other-model", "")]
    public async Task AFixtureWithoutMatchAnswersAnyRequest(string model, string user)
    {
        ChatCompletion completion = await TestData.Chat(_mock.OpenAIEndpoint, model).CompleteChatAsync([new UserChatMessage(user)], cancellationToken: Ct);

        Assert.Equal("caught by the catch-all", completion.Content[0].Text);
        _mock.Journal.AssertAnsweredBy("no match block");
    }

    [Fact]
    public async Task AMoreSpecificFixtureWinsOverTheCatchAllAtTheSamePriority()
    {
        ChatCompletion completion = await TestData.Chat(_mock.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage("hello")], cancellationToken: Ct);

        Assert.Equal("hi there", completion.Content[0].Text);
    }
}
