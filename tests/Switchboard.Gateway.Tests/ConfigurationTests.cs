using Switchboard.Cli.Commands;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>A bad configuration stops start-up with one line naming the file, the key and the problem.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("switchboard-config-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ConfigurationFileException BuildFails(string path, IReadOnlyDictionary<string, string?>? environment = null) =>
        Assert.Throws<ConfigurationFileException>(() => GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Port = 0,
            Environment = environment ?? new Dictionary<string, string?>(),
            ConfigureServices = BuiltInProviders.Register,
        }));

    [Fact]
    public void YamlSyntaxErrorNamesFileAndLine()
    {
        var path = Write("broken.yaml", "providers:\n  - name: a\n    type: [unclosed\n");

        var ex = BuildFails(path);

        Assert.StartsWith("broken.yaml:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MisspeltKeyIsNamed()
    {
        var path = Write("typo.yaml", "providers:\n  - name: a\n    type: mock\n    base_ur1: http://x\nmodels:\n  - name: m\n    deployments: [{provider: a}]\n");

        var ex = BuildFails(path);

        Assert.Contains("typo.yaml: providers[0].base_ur1: unknown key; did you mean 'base_url'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemOfTheFileIsReportedInOneRunEachAtItsOwnKey()
    {
        var path = Write("many.yaml", """
            server:
              port: four thousand
            providers:
              - name: a
                type: openai
                baseurl: http://127.0.0.1:9/v1
            models:
              - name: m
                deployments:
                  - {provider: a, weight: heavy}
                  - {model: x}
            routing:
              retries: two
              retires: 2
              timeout: soon
            """);

        var lines = BuildFails(path).Message.Split(Environment.NewLine);

        Assert.Contains("many.yaml: server.port: 'four thousand' is not a whole number.", lines);
        Assert.Contains("many.yaml: models[0].deployments[0].weight: 'heavy' is not a number.", lines);
        Assert.Contains("many.yaml: routing.retries: 'two' is not a whole number.", lines);
        Assert.Contains("many.yaml: routing.retires: unknown key; did you mean 'retries'?", lines);
        Assert.Contains("many.yaml: routing.timeout: 'soon' is not a duration longer than zero; write e.g. 30s, 500ms, 2m or 00:00:30.", lines);
        Assert.Contains("many.yaml: providers[0].baseurl: unknown key; did you mean 'base_url'?", lines);
        Assert.Contains("many.yaml: models[0].deployments[1].provider: missing; name one of the providers (a).", lines);
        Assert.Contains(lines, l => l.StartsWith("many.yaml: providers[a].base_url is required", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("needs at least one deployment", StringComparison.Ordinal));
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public void ListeningBeyondLoopbackWithoutAuthIsOneOfTheProblemsOfTheFile()
    {
        var path = Write("open.yaml", """
            server: {host: 0.0.0.0, max_connections: 0, max_body_bytes: -1}
            providers:
              - {name: a, type: mock}
            models:
              - {name: m, deployments: [{provider: a}]}
            """);

        var lines = BuildFails(path).Message.Split(Environment.NewLine);

        Assert.Contains("open.yaml: server.host: 0.0.0.0: refusing to listen beyond loopback without auth; set auth.master_key (or SWITCHBOARD_MASTER_KEY), or auth.allow_anonymous: true to be open on purpose.", lines);
        // Values Kestrel itself would throw on are reported as lines too, not as a crash.
        Assert.Contains("open.yaml: server.max_connections: must be at least 1.", lines);
        Assert.Contains("open.yaml: server.max_body_bytes: must be greater than 0.", lines);
    }

    [Theory]
    [InlineData("models:\n  - {name: m, aliases: 4o, deployments: [{provider: a}]}", "models[0].aliases: '4o' is not a list; write [4o] or one '- item' per line.")]
    [InlineData("models:\n  - {name: m, deployments: [{provider: a}]}\nrouting: fast", "routing: 'fast' is not a section; write its keys below it.")]
    [InlineData("models:\n  - {name: m, deployments: [{provider: a}]}\nserver: {port: {number: 4}}", "server.port: expected a whole number, not a section.")]
    [InlineData("models:\n  - {name: m, deployments: [{provider: a}]}\ncache: {exact: maybe}", "cache.exact: 'maybe' is not true, false or a section of settings.")]
    public void ValuesAndSectionsInTheWrongShapeAreNamed(string yaml, string message)
    {
        var path = Write("shape.yaml", "providers:\n  - {name: a, type: mock}\n" + yaml + "\n");

        var ex = BuildFails(path);

        Assert.Contains("shape.yaml: " + message, ex.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void UnknownProviderTypeIsNamed()
    {
        var path = Write("type.yaml", "providers:\n  - name: a\n    type: bedrock\nmodels:\n  - name: m\n    deployments: [{provider: a}]\n");

        var ex = BuildFails(path);

        Assert.Contains("type.yaml: providers[0].type: 'bedrock' is not a provider type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeploymentOfAnUnknownProviderIsNamed()
    {
        var path = Write("dep.yaml", "providers:\n  - name: a\n    type: mock\nmodels:\n  - name: m\n    deployments: [{provider: b}]\n");

        var ex = BuildFails(path);

        Assert.Contains("models[0].deployments[0].provider: 'b'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSecretVariableIsNamed()
    {
        var path = Write("secret.yaml", "providers:\n  - name: a\n    type: openai\n    base_url: http://127.0.0.1:9/v1\n    api_key: env:MY_MISSING_KEY\nmodels:\n  - name: m\n    deployments: [{provider: a}]\n");

        var ex = BuildFails(path);

        Assert.Equal("secret.yaml: providers[0].api_key: the environment variable MY_MISSING_KEY is not set.", ex.Message);
    }

    [Theory]
    [InlineData("{name: a, type: mock, watch: true}", "providers[a].watch: needs fixtures to watch.")]
    [InlineData("{name: a, type: openai, base_url: 'http://127.0.0.1:9/v1', watch: true}", "providers[0].watch: a setting of type: mock, not of type: openai.")]
    [InlineData("{name: a, type: mock, watch: often}", "providers[a].watch: 'often' is not true or false.")]
    public void WatchWithoutFixturesIsNamed(string provider, string message)
    {
        var path = Write("watch.yaml", $"providers:\n  - {provider}\nmodels:\n  - {{name: m, deployments: [{{provider: a}}]}}\n");

        var ex = BuildFails(path);

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadDurationIsNamed()
    {
        var path = Write("time.yaml", "providers:\n  - {name: a, type: mock}\nmodels:\n  - {name: m, deployments: [{provider: a}]}\nrouting:\n  timeout: soon\n");

        var ex = BuildFails(path);

        Assert.Contains("routing.timeout: 'soon' is not a duration", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timeout", "99999999999h")]
    [InlineData("circuit_breaker:\n    cooldown", "999999999999999m")]
    public void DurationTooLongForAnyClockIsNamed(string key, string value)
    {
        var path = Write("huge.yaml", $"providers:\n  - {{name: a, type: mock}}\nmodels:\n  - {{name: m, deployments: [{{provider: a}}]}}\nrouting:\n  {key}: {value}\n");

        var ex = BuildFails(path);

        Assert.Contains($"'{value}' is not a duration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberOfTheWrongKindIsNamed()
    {
        var path = Write("num.yaml", "providers:\n  - {name: a, type: mock}\nmodels:\n  - {name: m, deployments: [{provider: a}]}\nrouting:\n  retries: many\n");

        var ex = BuildFails(path);

        Assert.Contains("routing.retries: 'many' is not a whole number", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("circuit_breaker: {failures: -1}", "routing.circuit_breaker.failures: must be between 0 (circuit breaking off) and 1000.")]
    [InlineData("circuit_breaker: {cooldown: 2h}", "routing.circuit_breaker.cooldown: must be greater than zero and at most 1h.")]
    [InlineData("circuit_breaker: {cooldown: soon}", "routing.circuit_breaker.cooldown: 'soon' is not a duration")]
    [InlineData("circuit_breaker: {failure: 3}", "routing.circuit_breaker.failure: unknown key")]
    public void BadCircuitBreakerSettingsAreNamed(string line, string message)
    {
        var path = Write("breaker.yaml", "providers:\n  - {name: a, type: mock}\nmodels:\n  - {name: m, deployments: [{provider: a}]}\nrouting:\n  " + line + "\n");

        var ex = BuildFails(path);

        Assert.Contains("breaker.yaml: " + message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircuitBreakerCanBeSetFromTheEnvironment()
    {
        var path = Write("env-breaker.yaml", "providers:\n  - {name: a, type: mock}\nmodels:\n  - {name: m, deployments: [{provider: a}]}\n");

        var ex = BuildFails(path, new Dictionary<string, string?> { ["SWITCHBOARD__Routing__Circuit_Breaker__Failures"] = "-3" });

        Assert.Contains("routing.circuit_breaker.failures: must be between 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentVariablesOverrideTheFile()
    {
        var path = Write("env.yaml", "providers:\n  - {name: a, type: mock}\nmodels:\n  - {name: m, deployments: [{provider: a}]}\n");

        var ex = BuildFails(path, new Dictionary<string, string?> { ["SWITCHBOARD__Routing__Retries"] = "99" });

        Assert.Contains("routing.retries: must be between 0 and 10", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task JsonConfigurationWorksLikeYaml()
    {
        var path = Write("switchboard.json", """
            {
              "providers": [{"name": "fake", "type": "mock"}],
              "models": [{"name": "renamed-echo", "deployments": [{"provider": "fake", "model": "mock-echo"}]}],
              "routing": {"timeout": "30s", "retries": 1}
            }
            """);
        var app = GatewayHost.Build(new GatewayHostOptions { ConfigPath = path, Port = 0, Environment = new Dictionary<string, string?>(), ConfigureServices = BuiltInProviders.Register });
        await app.DisposeAsync();
    }

    [Fact]
    public async Task YamlFromTheDesignNotesIsAccepted()
    {
        var yaml = """
            providers:
              - name: openai-main
                type: openai
                base_url: https://api.openai.com/v1
                api_key: env:OPENAI_API_KEY
              - name: local-lmstudio
                type: openai
                base_url: http://localhost:1234/v1
              - name: fake
                type: mock
            models:
              - name: gpt-4o
                deployments:
                  - {provider: openai-main, model: gpt-4o-search-preview, input_per_million: 2.5, output_per_million: 10}
              - name: o3-mini
                deployments: [{provider: openai-main, model: o3-mini}, {provider: local-lmstudio, model: qwen3-8b, weight: 3}]
            routing:
              rules:
                - match: "*gpt-4o*"
                  model: gpt-4o
                - match: "*"
                  model: o3-mini
              fallbacks: {gpt-4o: [o3-mini]}
              retries: 2
              timeout: 30s
            cache: {exact: true, semantic: {enabled: true, threshold: 0.92, embedder: local}}
            database: {provider: sqlite, connection: "Data Source=.switchboard/switchboard.db"}
            redis: null
            """;
        var path = Write("design.yaml", yaml);
        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Port = 0,
            Environment = new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-x" },
            ConfigureServices = BuiltInProviders.Register,
        });
        await app.DisposeAsync();
    }

    [Fact]
    public async Task SampleConfigurationInTheRepositoryIsValid()
    {
        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = Path.Combine(RepositoryPaths.Root, "samples", "switchboard.yaml"),
            Port = 0,
            Environment = new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-sample" },
            ConfigureServices = BuiltInProviders.Register,
        });
        await app.DisposeAsync();
    }

    [Fact]
    public void AYamlAliasBombIsRefusedNamingTheLine()
    {
        var yaml = new System.Text.StringBuilder("x_anchors:\n  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 7; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        yaml.Append("providers:\n  - {name: a, type: mock}\nmodels:\n  - name: m\n    deployments: [{provider: a}]\n    aliases: *l6\n");

        var ex = BuildFails(Write("bomb.yaml", yaml.ToString()));

        Assert.StartsWith("bomb.yaml:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aliases", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("providers: &p [{name: a, type: mock, headers: *p}]\n")]
    [InlineData("providers: [{name: a, type: mock, headers: *nowhere}]\n")]
    public void ARecursiveOrDanglingAliasIsRefused(string yaml)
    {
        var ex = BuildFails(Write("alias.yaml", yaml));

        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void YamlNestedTooDeepIsRefused()
    {
        var ex = BuildFails(Write("deep.yaml", "routing: " + new string('[', 100_000) + new string(']', 100_000) + "\n"));

        Assert.Contains("64 levels", ex.Message, StringComparison.Ordinal);
    }
}
