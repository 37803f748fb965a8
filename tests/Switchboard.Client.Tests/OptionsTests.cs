using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>Options from the environment, from configuration through dependency injection, and their validation.</summary>
public sealed class OptionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EnvironmentDefaultsAreTheGatewayTemperature07And500Tokens()
    {
        var options = LlmClientOptions.FromEnvironment(_ => null);

        Assert.Equal(LlmProvider.OpenAICompatible, options.Provider);
        Assert.Null(options.BaseUrl);
        Assert.Equal(new Uri("http://127.0.0.1:4000/v1"), options.EffectiveBaseUrl);
        Assert.Null(options.ApiKey);
        Assert.Null(options.Model);
        Assert.Equal(0.7f, options.Temperature);
        Assert.Equal(500, options.MaxTokens);
        Assert.Equal(0, options.MaxRetries);
        Assert.Null(options.CacheTtl);
        Assert.False(options.CleanResponses);
    }

    [Fact]
    public void EnvironmentVariablesAreRead()
    {
        var environment = new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "Ollama",
            ["LLM_BASE_URL"] = "http://localhost:11434",
            ["LLM_API_KEY"] = "sk-1",
            ["LLM_MODEL"] = "qwen3:8b",
            ["LLM_TEMPERATURE"] = "0.25",
            ["LLM_MAX_TOKENS"] = "64",
            ["LLM_TOP_P"] = "0.8",
            ["LLM_REPEAT_PENALTY"] = "1.2",
            ["LLM_SYSTEM_PROMPT"] = "Be brief.",
            ["LLM_TIMEOUT"] = "2m",
            ["LLM_MAX_RETRIES"] = "3",
            ["LLM_CACHE_TTL"] = "600",
            ["LLM_CLEAN_RESPONSES"] = "true",
        };

        var options = LlmClientOptions.FromEnvironment(name => environment.GetValueOrDefault(name));

        Assert.Equal(LlmProvider.Ollama, options.Provider);
        Assert.Equal(new Uri("http://localhost:11434"), options.BaseUrl);
        Assert.Equal("sk-1", options.ApiKey);
        Assert.Equal("qwen3:8b", options.Model);
        Assert.Equal(0.25f, options.Temperature);
        Assert.Equal(64, options.MaxTokens);
        Assert.Equal(0.8f, options.TopP);
        Assert.Equal(1.2f, options.RepeatPenalty);
        Assert.Equal("Be brief.", options.SystemPrompt);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Timeout);
        Assert.Equal(3, options.MaxRetries);
        Assert.Equal(TimeSpan.FromMinutes(10), options.CacheTtl);
        Assert.True(options.CleanResponses);
    }

    [Theory]
    [InlineData("LLM_PROVIDER", "claude")]
    [InlineData("LLM_BASE_URL", "localhost:1234")]
    [InlineData("LLM_TEMPERATURE", "warm")]
    [InlineData("LLM_MAX_TOKENS", "1.5")]
    [InlineData("LLM_TIMEOUT", "soon")]
    [InlineData("LLM_CLEAN_RESPONSES", "maybe")]
    public void UnreadableEnvironmentVariableIsNamed(string name, string value)
    {
        var error = Assert.Throws<FormatException>(() => LlmClientOptions.FromEnvironment(n => n == name ? value : null));

        Assert.StartsWith($"{name} is '{value}': expected ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddLlmClientBindsConfigurationAndAnswers()
    {
        await using var mock = await MockLlm.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:BaseUrl"] = mock.OpenAIEndpoint.ToString(),
            ["Llm:Model"] = "gpt-configured",
            ["Llm:Temperature"] = "0.3",
            ["Llm:MaxTokens"] = "42",
            ["Llm:Timeout"] = "00:00:30",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddLlmClient(configuration.GetSection("Llm")).BuildServiceProvider();

        var llm = services.GetRequiredService<LlmClient>();
        var answer = await llm.CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.Same(llm, services.GetRequiredService<LlmClient>());
        Assert.True(answer.Success, answer.Error);
        var body = mock.Journal.Entries.Single().Body!.Value;
        Assert.Equal("gpt-configured", body.GetProperty("model").GetString());
        Assert.Equal(0.3, body.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(42, body.GetProperty("max_completion_tokens").GetInt32());
    }

    [Fact]
    public async Task RegisteredCleanerIsUsedWhenCleaningIsOn()
    {
        await using var mock = await MockLlm.StartAsync();
        await using var services = new ServiceCollection()
            .AddSingleton<IResponseCleaner>(new ShoutingCleaner())
            .AddLlmClient(o =>
            {
                o.BaseUrl = mock.OpenAIEndpoint;
                o.Model = MockLlm.Model;
                o.CleanResponses = true;
            })
            .BuildServiceProvider();

        var answer = await services.GetRequiredService<LlmClient>().CompleteAsync("Say hello", cancellationToken: Ct);

        Assert.Equal("HELLO THERE!", answer.Content);
    }

    [Fact]
    public async Task BadOptionsStopStartUpNamingEachKey()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrlsForTest();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:BaseUrl"] = "ftp://models.example/v1",
            ["Llm:Temperature"] = "3",
            ["Llm:MaxTokens"] = "0",
            ["Llm:MaxRetries"] = "11",
            ["Llm:CacheTtl"] = "-00:00:01",
        });
        builder.Services.AddLlmClient(builder.Configuration.GetSection("Llm"));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Ct));

        Assert.Contains("Llm:BaseUrl: 'ftp://models.example/v1' must be an absolute http:// or https:// URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:Temperature: must be between 0 and 2 (was 3)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:MaxTokens:", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:MaxRetries:", error.Message, StringComparison.Ordinal);
        Assert.Contains("Llm:CacheTtl:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRefusesBadOptions()
    {
        var error = Assert.Throws<OptionsValidationException>(() => LlmClient.Create(new LlmClientOptions { Temperature = -1, TopP = 2 }));

        Assert.Contains("Temperature: must be between 0 and 2 (was -1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("TopP: must be between 0 and 1 (was 2)", error.Message, StringComparison.Ordinal);
    }

    private sealed class ShoutingCleaner : IResponseCleaner
    {
        public string Clean(string content) => content.ToUpperInvariant();

        public IResponseStreamCleaner StartStream() => throw new NotSupportedException();
    }
}

internal static class WebHostTestExtensions
{
    /// <summary>A free loopback port, so the test host never takes a port another test needs.</summary>
    public static void UseUrlsForTest(this Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder, "http://127.0.0.1:0");
}
