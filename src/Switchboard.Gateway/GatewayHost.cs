using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Data;
using Switchboard.Gateway.Admin;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Stages;
using Switchboard.Gateway.Telemetry;
using Switchboard.Hosting.Http;

namespace Switchboard.Gateway;

/// <summary>Builds the gateway web application: configuration, services, Kestrel and endpoints.</summary>
public static partial class GatewayHost
{
    /// <summary>
    /// Builds (does not start) the gateway. Every configuration problem, including ones only binding or
    /// validation can see, is thrown here as a one-line <see cref="ConfigurationFileException"/>.
    /// </summary>
    public static WebApplication Build(GatewayHostOptions hostOptions)
    {
        ArgumentNullException.ThrowIfNull(hostOptions);
        var source = hostOptions.ConfigPath is null ? "embedded default" : Path.GetFileName(hostOptions.ConfigPath);
        var configuration = GatewayConfigurationLoader.Load(hostOptions.ConfigPath, hostOptions.Environment);

        // No appsettings.json is part of Switchboard's contract, and reload-on-change would put a file watcher
        // on the working directory: every write below it (a log file, say) then wakes a thread (docs/benchmarks.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        var jsonLogs = string.Equals(hostOptions.LogFormat, "json", StringComparison.OrdinalIgnoreCase);
        if (jsonLogs)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
            builder.Logging.AddFilter(RequestLogStage.LoggerName, LogLevel.Information);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // One line per refused connection during an overload; ConnectionLimits logs the overload once instead.
        builder.Logging.AddFilter(ConnectionLimits.KestrelConnectionsCategory, LogLevel.Error);
        hostOptions.ConfigureLogging?.Invoke(builder.Logging);

        builder.Services.AddSwitchboardGateway(configuration);
        builder.Services.AddRequestDecompression();
        foreach (var feature in hostOptions.Features)
        {
            feature.AddServices(builder.Services, configuration);
        }

        var environment = hostOptions.Environment ?? ProcessEnvironment();
        var telemetry = BindSection<TelemetryOptions>(configuration, "telemetry", source);
        var telemetrySettings = GatewayTelemetrySetup.Add(builder, telemetry, environment);
        // auth.master_key as resolved (the file's env:NAME, or SWITCHBOARD_MASTER_KEY when the file names none).
        var masterKey = configuration["auth:master_key"];
        builder.Services.AddSingleton(sp => new AdminAccess(masterKey, sp.GetRequiredService<DashboardSessions>()));
        var ui = BindSection<UiOptions>(configuration, "ui", source);
        builder.Services.AddSingleton(new RequestLogSettings(JsonLines: jsonLogs, Dashboard: ui.Enabled));
        hostOptions.ConfigureServices?.Invoke(builder.Services);

        var server = BindSection<ServerOptions>(configuration, "server", source);
        var host = hostOptions.Host ?? server.Host;
        var port = hostOptions.Port ?? server.Port;
        var listen = ListenAddress.TryParse(host, out var hostProblem)
            ?? throw new ConfigurationFileException(hostOptions.Host is null ? $"{source}: server.host: {hostProblem}." : $"--host: {hostProblem}.");
        RefuseOpenNetworkListener(configuration, listen, hostOptions.Host is null ? $"server.host: {host}" : $"--host {host}", source);
        var limits = ConnectionLimits.Resolve(server.MaxConnections, server.MaxUpgradedConnections);
        var countConnections = limits.CountConnections();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listen.Apply(kestrel, port, countConnections);
            limits.Apply(kestrel);
            if (telemetry.Prometheus is { Enabled: true, Port: > 0 and var metricsPort })
            {
                (ListenAddress.TryParse(telemetry.Prometheus.Host, out var metricsProblem)
                    ?? throw new ConfigurationFileException($"{source}: telemetry.prometheus.host: {metricsProblem}.")).Apply(kestrel, metricsPort, countConnections);
            }
            kestrel.AddServerHeader = false;
            // The reader enforces the configured limit with a clean 413 and reads (discarding) what a client
            // still sends past it; Kestrel's hard limit only bounds that draining.
            kestrel.Limits.MaxRequestBodySize = server.MaxBodyBytes * 4;
        });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = server.ShutdownTimeout);

        var app = builder.Build();
        ResolveOrExplain(app.Services, configuration, source, hostOptions.Features);
        app.UseOpenAIErrors();
        app.MapSwitchboardGateway();
        AdminEndpoints.Map(app);
        foreach (var feature in hostOptions.Features)
        {
            feature.MapEndpoints(app);
        }

        if (ui.Enabled)
        {
            app.MapSwitchboardDashboard();
        }

        if (telemetrySettings.Enabled && telemetry.Prometheus.Enabled)
        {
            GatewayTelemetrySetup.MapPrometheus(app, telemetry.Prometheus);
        }

        WarmUpTokenizerIfNeeded(app);
        return app;
    }

    /// <summary>
    /// The mock provider counts tokens for its usage numbers; loading the vocabulary takes a few hundred
    /// milliseconds, which should not land on the first request.
    /// </summary>
    private static void WarmUpTokenizerIfNeeded(WebApplication app)
    {
        var providers = app.Services.GetRequiredService<Routing.ProviderRegistry>().Providers.Values;
        if (providers.Any(p => p.Type == Switchboard.Providers.ProviderTypes.Mock))
        {
            app.Lifetime.ApplicationStarted.Register(static () =>
                ThreadPool.UnsafeQueueUserWorkItem(static _ => Tokens.TiktokenTokenCounter.Instance.CountTokens("warm up"), null));
        }
    }

    private static Dictionary<string, string?> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    private static T BindSection<T>(IConfiguration configuration, string section, string source)
        where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationFileException($"{source}: {Explain(ex)}", ex);
        }
    }

    /// <summary>
    /// Without a master key anyone who reaches the port can spend the upstreams' money: that is allowed on a
    /// loopback address, or anywhere when <c>auth.allow_anonymous: true</c> says it is meant.
    /// </summary>
    private static void RefuseOpenNetworkListener(IConfiguration configuration, ListenAddress listen, string where, string source)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName);
        var hasMasterKey = !string.IsNullOrEmpty(auth["master_key"]);
        var anonymous = bool.TryParse(auth["allow_anonymous"], out var allowed) && allowed;
        var loopback = listen.IsLocalhost || (listen.Address is { } address && System.Net.IPAddress.IsLoopback(address));
        if (!hasMasterKey && !anonymous && !loopback)
        {
            throw new ConfigurationFileException($"{source}: {where}: refusing to listen beyond loopback without auth; set auth.master_key (or {AuthOptions.MasterKeyVariable}), or auth.allow_anonymous: true to be open on purpose.");
        }
    }

    /// <summary>Binds and validates now, so a bad file stops start-up with a message instead of failing the first request.</summary>
    private static void ResolveOrExplain(IServiceProvider services, IConfiguration configuration, string source, IReadOnlyList<IGatewayFeature> features)
    {
        var unknown = ConfigurationKeyChecker.FindUnknownKeys(
            configuration,
            typeof(SwitchboardOptions),
            features.ToDictionary(f => f.SectionName, f => f.OptionsType, StringComparer.OrdinalIgnoreCase));
        if (unknown.Count > 0)
        {
            throw new ConfigurationFileException(string.Join(
                Environment.NewLine,
                unknown.Select(key => $"{source}: {GatewayConfigurationLoader.DisplayKey(key)}: unknown key; check its spelling against the configuration reference in the README.")));
        }

        try
        {
            _ = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            _ = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            _ = services.GetRequiredService<IOptions<AuthOptions>>().Value;
            _ = services.GetRequiredService<GatewayPipeline>();
            foreach (var feature in features)
            {
                feature.Validate(services);
            }
        }
        catch (OptionsValidationException ex)
        {
            throw new ConfigurationFileException(string.Join(Environment.NewLine, ex.Failures.Select(f => $"{source}: {f}")), ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationFileException($"{source}: {Explain(ex)}", ex);
        }
    }

    /// <summary>Rewrites the configuration binder's messages, which name .NET types, in the file's terms.</summary>
    private static string Explain(InvalidOperationException ex)
    {
        var message = ex.InnerException is InvalidOperationException inner ? inner.Message : ex.Message;
        var conversion = ConversionPattern().Match(message);
        if (conversion.Success)
        {
            var type = conversion.Groups["type"].Value;
            var expected = type switch
            {
                "System.Int32" or "System.Int64" => "a whole number",
                "System.Double" or "System.Decimal" => "a number",
                "System.Boolean" => "true or false",
                "System.TimeSpan" => "a duration such as 30s",
                _ => "a value of the right kind",
            };
            return $"{GatewayConfigurationLoader.DisplayKey(conversion.Groups["key"].Value)}: '{conversion.Groups["value"].Value}' is not {expected}.";
        }

        return message;
    }

    [GeneratedRegex("Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex ConversionPattern();
}
