using Switchboard.Mock.Testing;

namespace Switchboard.Client.Tests.Infrastructure;

/// <summary>Starts the mock with <see cref="Fixtures.Yaml"/> and makes clients pointed at it.</summary>
public static class MockLlm
{
    public const string Model = "gpt-test";

    public static Task<MockLlmServer> StartAsync() => MockLlmServer.StartAsync(b => b.AddYaml(Fixtures.Yaml), TestContext.Current.CancellationToken);

    public static LlmClientOptions Options(MockLlmServer mock) => new() { BaseUrl = mock.OpenAIEndpoint, Model = Model };

    public static LlmClient Client(MockLlmServer mock, Action<LlmClientOptions>? configure = null)
    {
        var options = Options(mock);
        configure?.Invoke(options);
        return LlmClient.Create(options);
    }
}
