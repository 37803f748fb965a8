using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Providers.Ollama;
using Switchboard.Providers.OpenAICompatible;
using static Switchboard.Providers.Tests.TestSupport;

namespace Switchboard.Providers.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddSwitchboardProvidersRegistersBothFactoriesOnce()
    {
        var services = new ServiceCollection().AddLogging().AddSwitchboardProviders().AddSwitchboardProviders();
        using var provider = services.BuildServiceProvider();

        var factories = provider.GetServices<IChatProviderFactory>().ToList();

        Assert.Equal([ProviderTypes.OpenAI, ProviderTypes.Ollama], factories.Select(f => f.Type));
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void NamedProviderClientsHaveNoClientTimeout()
    {
        using var provider = new ServiceCollection().AddSwitchboardProviders().BuildServiceProvider();
        var httpClientFactory = provider.GetRequiredService<IHttpClientFactory>();

        using var client = httpClientFactory.CreateClient(ProviderHttpClients.ClientName("openai-main"));
        using var other = httpClientFactory.CreateClient("someone-else");

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.Equal(false, client.DefaultRequestHeaders.ExpectContinue);
        Assert.Equal(TimeSpan.FromSeconds(100), other.Timeout);
    }

    [Fact]
    public async Task FactoriesCreateWorkingProvidersWithTheRegisteredTimeProvider()
    {
        var time = new FakeTimeProvider();
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(time).AddSwitchboardProviders().BuildServiceProvider();
        var factories = services.GetServices<IChatProviderFactory>().ToDictionary(f => f.Type);
        var received = Signal();
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.NeverAnswer(received));

        var openai = factories[ProviderTypes.OpenAI].Create(new ProviderOptions { Name = "o", Type = ProviderTypes.OpenAI, BaseUrl = upstream.BaseUrl + "/v1", Timeout = TimeSpan.FromSeconds(1) });
        var ollama = factories[ProviderTypes.Ollama].Create(new ProviderOptions { Name = "l", Type = ProviderTypes.Ollama, BaseUrl = upstream.BaseUrl });
        var error = await TimeOutAsync(() => openai.ChatAsync(Chat("""{"model":"m","messages":[{"role":"user","content":"x"}]}"""), Ct), received.Task, time, TimeSpan.FromSeconds(1));

        Assert.IsType<OpenAICompatibleProvider>(openai);
        Assert.IsType<OllamaProvider>(ollama);
        Assert.Equal("o", openai.Name);
        Assert.Equal(ProviderTypes.Ollama, ollama.Type);
        Assert.Equal(504, error.StatusCode);
    }

    [Fact]
    public void OpenAIValidationNamesTheKeys()
    {
        var factory = new OpenAICompatibleProviderFactory(new NoClients());

        Assert.Empty(factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "http://localhost:1234/v1" }));
        Assert.Contains(factory.Validate(new ProviderOptions { Name = "lm" }), p => p.Contains("providers[lm].base_url is required", StringComparison.Ordinal));
        Assert.Contains(factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "localhost:1234" }), p => p.Contains("providers[lm].base_url", StringComparison.Ordinal));
        Assert.Contains(factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "ftp://x/v1" }), p => p.Contains("http://", StringComparison.Ordinal));
        Assert.Contains(factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "http://x/v1/chat/completions" }), p => p.Contains("API root", StringComparison.Ordinal));
        Assert.Contains(factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "http://x/v1", Timeout = TimeSpan.Zero }), p => p.Contains("providers[lm].timeout", StringComparison.Ordinal));
        Assert.Contains(
            factory.Validate(new ProviderOptions { Name = "lm", BaseUrl = "http://x/v1", Headers = new() { ["X-Bad"] = "a\r\nb" } }),
            p => p.Contains("providers[lm].headers.X-Bad", StringComparison.Ordinal));
    }

    [Fact]
    public void OllamaValidationAllowsTheDefaultUrlAndRefusesV1()
    {
        var factory = new OllamaProviderFactory(new NoClients());

        Assert.Empty(factory.Validate(new ProviderOptions { Name = "local" }));
        Assert.Empty(factory.Validate(new ProviderOptions { Name = "local", BaseUrl = "http://gpu:11434" }));
        var problem = Assert.Single(factory.Validate(new ProviderOptions { Name = "local", BaseUrl = "http://gpu:11434/v1" }));
        Assert.Contains("providers[local].base_url", problem, StringComparison.Ordinal);
        Assert.Contains("type: openai", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredAuthorizationHeaderReplacesTheApiKey()
    {
        await using var upstream = await FakeUpstream.StartAsync(FakeUpstream.Json("""{"version":"1"}"""));
        var provider = new OllamaProvider(
            new ProviderOptions { Name = "l", BaseUrl = upstream.BaseUrl, ApiKey = "k", Headers = new(StringComparer.OrdinalIgnoreCase) { ["authorization"] = "Basic dTpw" } },
            ProviderHttpClients.CreateClient());

        await provider.CheckHealthAsync(Ct);

        Assert.Equal("Basic dTpw", upstream.Last.Headers["Authorization"]);
    }

    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("Validation must not create clients.");
    }
}
