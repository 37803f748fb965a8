using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenAI;
using Switchboard.Cli.Commands;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>The real gateway, started on a free loopback port with a configuration written for the test.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _configDirectory;

    private TestGateway(WebApplication app, string baseUrl, string configDirectory)
    {
        _app = app;
        BaseUrl = baseUrl;
        _configDirectory = configDirectory;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without <c>/v1</c>.</summary>
    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The gateway's own folder (its configuration file, SQLite database and spill file unless the test chose others).</summary>
    public string Folder => _configDirectory;

    /// <param name="yaml">A configuration file's text, or null for the embedded default.</param>
    /// <param name="environment">Environment variables the gateway sees instead of the process's.</param>
    /// <param name="timeProvider">
    /// The gateway's clock (a FakeTimeProvider for circuit cooldowns). It also drives retry backoff and upstream
    /// timeouts, so a test with a fake clock must not depend on either.
    /// </param>
    /// <param name="configureServices">Runs after the gateway's own registrations (to replace the pipeline, say).</param>
    /// <param name="logging">Replaces the default logging (warnings and up) when a test needs to see the log.</param>
    /// <param name="logs">When set, receives every log entry from Debug up (the console still gets Warning and above).</param>
    public static async Task<TestGateway> StartAsync(
        string? yaml = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeProvider? timeProvider = null,
        Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? logging = null,
        LogCapture? logs = null)
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-test-").FullName;
        string? path = null;
        if (yaml is not null)
        {
            path = Path.Combine(directory, "switchboard.yaml");
            await File.WriteAllTextAsync(path, yaml);
        }

        // Every gateway gets a database and spill file of its own unless the test chose them. The spill file too when the
        // test chose a database: the default one is in the tests' shared folder, and a writer replays every spill file
        // it finds there into its own database (a PostgreSQL test lost its outage's rows to another test's gateway so).
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
        if (yaml is null || !yaml.Contains("database:", StringComparison.Ordinal) || !yaml.Contains("connection:", StringComparison.Ordinal))
        {
            variables.TryAdd("SWITCHBOARD__database__connection", $"Data Source={Path.Combine(directory, "switchboard.db")}");
        }

        if (yaml?.Contains("spill_path:", StringComparison.Ordinal) != true)
        {
            variables.TryAdd("SWITCHBOARD__database__spill_path", Path.Combine(directory, "usage-spill.jsonl"));
        }

        var app = GatewayHost.Build(new GatewayHostOptions
        {
            ConfigPath = path,
            Host = "127.0.0.1",
            Port = 0,
            Environment = variables,
            ConfigureServices = services =>
            {
                BuiltInProviders.Register(services);
                if (timeProvider is not null)
                {
                    services.Replace(ServiceDescriptor.Singleton(timeProvider));
                }

                configureServices?.Invoke(services);
            },
            ConfigureLogging = builder =>
            {
                if (logging is not null)
                {
                    logging(builder);
                }
                else
                {
                    builder.SetMinimumLevel(LogLevel.Warning);
                }

                if (logs is not null)
                {
                    builder.AddProvider(logs);
                    builder.AddFilter<LogCapture>("Switchboard", LogLevel.Debug);
                }

                logging?.Invoke(builder);
            },
        });
        await app.StartAsync();
        return new TestGateway(app, app.ListeningUrl(), directory);
    }

    /// <summary>The official OpenAI SDK pointed at the gateway, with its own retries off so tests see each answer.</summary>
    public OpenAIClient CreateOpenAIClient() => new(
        new ApiKeyCredential("sk-test"),
        new OpenAIClientOptions { Endpoint = new Uri(BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    /// <summary>Stops the gateway as SIGTERM does: the listener closes, requests under way may finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAndDisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_configDirectory, recursive: true);
    }
}
