using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Hosting.Http;
using Switchboard.Hosting.Startup;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Server.Admin;
using Switchboard.Mock.Server.Http;
using Switchboard.Mock.Server.Journal;
using Switchboard.Mock.Server.Recording;
using Switchboard.Tokens;

namespace Switchboard.Mock.Server;

/// <summary>
/// Builds and runs the mock LLM server (<c>switchboard mock</c>). <see cref="Build"/> gives a configured,
/// not yet started <see cref="WebApplication"/> (fixtures already loaded); <see cref="RunAsync"/> runs it until
/// cancelled and turns start-up problems into one line on stderr and exit code 2.
/// </summary>
public static partial class MockServerHost
{
    /// <summary>The named client record mode sends with.</summary>
    private const string RecordingClient = "switchboard.mock.recording";

    /// <summary>Exit code of a bad fixture file or bad options at start-up.</summary>
    public const int ExitBadInput = 2;

    /// <summary>Exit code when the server cannot listen (port in use).</summary>
    public const int ExitCannotListen = 1;

    /// <summary>
    /// Builds the server. Throws <see cref="FixtureLoadException"/> for a broken fixture file and
    /// <see cref="ArgumentException"/> for unusable options.
    /// </summary>
    public static WebApplication Build(MockServerOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [var problem, ..])
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var listen = ListenAddress.TryParse(options.Host, out var hostProblem)
            ?? throw new ArgumentException($"--host: {hostProblem}.", nameof(options));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(MockServerHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        // One line per refused connection during an overload; ConnectionLimits logs the overload once instead.
        builder.Logging.AddFilter(ConnectionLimits.KestrelConnectionsCategory, LogLevel.Error);
        var startupLog = HostStartupLog.Mute(builder.Logging);

        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = options.InlineScheduling;
            // By default a connection first waits with a zero-byte read so that an idle one holds no buffer: one more
            // system call per request (4.4 reads a Rasa turn instead of 3.1). A mock's connections are few and busy.
            sockets.WaitForDataBeforeAllocatingBuffer = false;
        });

        var limits = ConnectionLimits.Resolve(options.MaxConnections, null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The reader answers 413 past MaxBodyBytes and discards what a client still sends; this only bounds that.
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes * 4;
            kestrel.AddServerHeader = false;
            limits.Apply(kestrel);
            listen.Apply(kestrel, options.Port, limits.CountConnections());
        });

        var time = options.TimeProvider ?? TimeProvider.System;
        var engine = new MockEngine(new MockEngineOptions
        {
            Strict = options.Strict,
            // With nothing to answer from and nothing to record, the server is the echo model.
            EchoWhenEmpty = options.FixturesPath is null && options.Fixtures.Count == 0 && options.RecordTo is null,
        }, TiktokenTokenCounter.Instance, time);
        engine.SetCodeFixtures(options.Fixtures);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddRequestDecompression();
        services.AddSingleton(time);
        services.AddSingleton(engine);
        services.AddSingleton(new RequestJournal(options.JournalCapacity, options.JournalMaxBytes));
        services.AddSingleton(provider => new RequestLogBudget(options.RequestLogLinesPerSecond, time, provider.GetRequiredService<ILogger<MockEngine>>()));
        if (options.FixturesPath is { } path)
        {
            // Loading here, before the server starts, makes a broken file a start-up error with its line.
            var files = FixtureLoader.LoadAll(path);
            engine.SetAllFileFixtures(files);
            services.AddSingleton(provider =>
            {
                var watcher = new FixtureWatcher(engine, path, provider.GetRequiredService<ILogger<FixtureWatcher>>(), time);
                watcher.Adopt(files);
                return watcher;
            });
            if (options.Watch)
            {
                services.AddHostedService(provider => new FixtureWatchService(provider.GetRequiredService<FixtureWatcher>()));
            }
        }

        if (options.RecordTo is not null)
        {
            // The time limit is the proxy's own, on the server's clock: the client never times out by itself.
            services.AddHttpClient(RecordingClient, static client => client.Timeout = Timeout.InfiniteTimeSpan);
            services.AddSingleton(provider => new RecordingProxy(
                options,
                engine,
                provider.GetRequiredService<IHttpClientFactory>().CreateClient(RecordingClient),
                time,
                provider.GetRequiredService<ILogger<RecordingProxy>>())
            {
                Watcher = options.Watch ? provider.GetService<FixtureWatcher>() : null,
            });
        }

        var app = builder.Build();
        startupLog.OpenWhenStarted(app.Lifetime);
        app.UseOpenAIErrors();
        app.UseAdminToken(options.AdminToken);
        app.MapMockEndpoints();
        app.MapAdminEndpoints();
        return app;
    }

    /// <summary>The address a started server listens on, e.g. <c>http://127.0.0.1:41234</c> (with the real port when 0 was asked).</summary>
    public static Uri GetBaseAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The server has not started yet.");
        // Kestrel reports "any address" bindings as http://[::]:port; a client needs a concrete address.
        return new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>
    /// Runs the server until <paramref name="cancellationToken"/> is cancelled or the process is asked to stop.
    /// Returns 0 after a clean stop, 2 for a bad fixture file or options (one line on stderr naming file, line
    /// and problem), 1 when the address cannot be bound.
    /// </summary>
    public static async Task<int> RunAsync(MockServerOptions options, CancellationToken cancellationToken, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplication app;
        try
        {
            app = Build(options, configureLogging);
        }
        catch (FixtureLoadException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard mock: {ex.Error}");
            return ExitBadInput;
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard mock: {ex.Message.Split(" (Parameter")[0]}");
            return ExitBadInput;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 0;
            }
#pragma warning disable CA1031 // Whatever stops the start is told in one line (the host's own stack trace is muted).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await Console.Error.WriteLineAsync($"switchboard mock: {StartupFailure.Describe(ex, $"{options.Host}:{options.Port}", "--port N", "--host")}");
                return ExitCannotListen;
            }

            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Mock");
            var engine = app.Services.GetRequiredService<MockEngine>();
            Log.Listening(logger, GetBaseAddress(app), engine.Fixtures.Count, options.FixturesPath ?? "(none: echo model)", options.Watch ? ", watching for changes" : string.Empty, options.Strict ? ", strict" : string.Empty);
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Mock LLM listening on {Address} with {Fixtures} fixtures from {Path}{Watch}{Strict}")]
        public static partial void Listening(ILogger logger, Uri address, int fixtures, string path, string watch, string strict);
    }
}
