using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchboard.Gateway;
using Switchboard.Gateway.Configuration;
using Switchboard.Hosting.Startup;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard serve [--config FILE] [--host H] [--port N]</c>: runs the gateway.</summary>
public static class ServeCommand
{
    /// <summary>The <c>serve</c> command.</summary>
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "YAML or JSON configuration file; without it the embedded default runs (built-in mock provider, no upstream needed).",
        };
        CommonOptions.MustExist(config);
        var host = CommonOptions.Host("127.0.0.1, or server.host");
        var port = CommonOptions.Port("4000, or server.port");

        var logFormat = new Option<string>("--log-format")
        {
            Description = "text (default): one line per entry; json: one JSON object per line, with a line per request (request id, key prefix, model, status, latency, trace id).",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");

        var command = new Command("serve", "Run the OpenAI-compatible gateway.") { config, host, port, logFormat };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new GatewayHostOptions
            {
                ConfigPath = parseResult.GetValue(config) is { } path ? Path.GetFullPath(path) : null,
                Host = parseResult.GetValue(host),
                Port = parseResult.GetValue(port),
                LogFormat = parseResult.GetValue(logFormat) ?? "text",
                ConfigureServices = BuiltInProviders.Register,
                Features = BuiltInProviders.Features,
            },
            cancellationToken));
        return command;
    }

    /// <summary>Exit code when the gateway cannot start: the port is in use, the database cannot be opened.</summary>
    public const int CannotStart = 1;

    /// <summary>Builds and runs the gateway until it is stopped; 2 for a bad configuration, 1 when it cannot start (port in use, database down).</summary>
    public static async Task<int> RunAsync(GatewayHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = GatewayHost.Build(options);
        }
        catch (ConfigurationFileException ex)
        {
            await Console.Error.WriteLineAsync($"switchboard: {ex.Message}");
            return SwitchboardCommandLine.UsageError;
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
#pragma warning disable CA1031 // Whatever stops the start (port in use, database down) is told in one line, not a stack trace.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await Console.Error.WriteLineAsync($"switchboard: {StartupFailure.Describe(ex, ListenTarget(options, app), "--port N (or server.port in the configuration file)", "--host (or server.host)")}");
                return CannotStart;
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            await Console.Out.WriteLineAsync($"Switchboard gateway listening on {string.Join(", ", addresses)} ({options.ConfigPath ?? "embedded default: built-in mock provider"}). Press Ctrl+C to stop.");
            // The dashboard's address, so nobody has to look it up (the first listener is the public port).
            if (app.Services.GetRequiredService<Gateway.Dashboard.RequestLogSettings>().Dashboard && addresses.FirstOrDefault() is { } first)
            {
                var who = app.Services.GetRequiredService<Gateway.Telemetry.AdminAccess>().RequiresKey ? "sign in with the master key" : "open to this machine only: no master key is set";
                await Console.Out.WriteLineAsync($"Dashboard: {first.TrimEnd('/')}/ui/ ({who}).");
            }
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return 0;
    }

    /// <summary><c>host:port</c> as the flags and the file resolve them, for a failure Kestrel does not name the address of.</summary>
    private static string ListenTarget(GatewayHostOptions options, Microsoft.AspNetCore.Builder.WebApplication app)
    {
        var server = app.Services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Server;
        return $"{options.Host ?? server.Host}:{options.Port ?? server.Port}";
    }
}
