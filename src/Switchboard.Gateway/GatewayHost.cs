using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Gateway.Admin;
using Switchboard.Gateway.Auth;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Dashboard;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Stages;
using Switchboard.Gateway.Telemetry;
using Switchboard.Hosting.Http;
using Switchboard.Hosting.Startup;
using Switchboard.Providers;

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
        var loaded = GatewayConfigurationLoader.Load(hostOptions.ConfigPath, hostOptions.Environment);

        // Every key and value is checked against the options types before binding; bad values are left out so that
        // binding and validation still run and every problem of the file is reported in one go.
        var check = ConfigurationChecker.Check(
            loaded,
            typeof(SwitchboardOptions),
            hostOptions.Features.ToDictionary(f => f.SectionName, f => f.OptionsType, StringComparer.OrdinalIgnoreCase));
        var configuration = check.Apply(loaded);
        var problems = check.Problems.Select(p => p.Describe(source)).ToList();

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
        var startupLog = HostStartupLog.Mute(builder.Logging);

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
        var listen = ListenAddress.TryParse(host, out var hostProblem);
        if (listen is null)
        {
            if (hostOptions.Host is not null)
            {
                throw new ConfigurationFileException($"--host: {hostProblem}.");
            }

            problems.Add($"{source}: server.host: {hostProblem}.");
        }
        else if (OpenNetworkListenerProblem(configuration, listen, hostOptions.Host is null ? $"server.host: {host}" : $"--host {host}") is { } refusal)
        {
            problems.Add($"{source}: {refusal}");
        }

        var limits = ConnectionLimits.Resolve(server.MaxConnections, server.MaxUpgradedConnections);
        var countConnections = limits.CountConnections();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listen?.Apply(kestrel, port, countConnections);
            // Limits Kestrel would refuse with an exception are reported by validation, with the rest of the file.
            if (limits.MaxConnections >= 1 && limits.MaxUpgradedConnections >= 0)
            {
                limits.Apply(kestrel);
            }

            if (telemetry.Prometheus is { Enabled: true, Port: > 0 and var metricsPort })
            {
                (ListenAddress.TryParse(telemetry.Prometheus.Host, out var metricsProblem)
                    ?? throw new ConfigurationFileException($"{source}: telemetry.prometheus.host: {metricsProblem}.")).Apply(kestrel, metricsPort, countConnections);
            }
            kestrel.AddServerHeader = false;
            // The reader enforces the configured limit with a clean 413 and reads (discarding) what a client
            // still sends past it; Kestrel's hard limit only bounds that draining.
            kestrel.Limits.MaxRequestBodySize = server.MaxBodyBytes > 0 ? server.MaxBodyBytes * 4 : null;
        });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = server.ShutdownTimeout);
        var proxies = server.TrustedProxies.Select(ServerOptions.ParseProxy).OfType<System.Net.IPNetwork>().ToList();
        if (proxies.Count > 0)
        {
            builder.Services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                // Only the proxies named: ASP.NET Core's default would also believe any caller on loopback.
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                proxies.ForEach(o.KnownIPNetworks.Add);
            });
        }

        var app = builder.Build();
        startupLog.OpenWhenStarted(app.Lifetime);
        ResolveOrExplain(app.Services, configuration, check, problems, source, hostOptions.Features);
        if (proxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseOpenAIErrors();
        // After the forwarded headers (the client's own address counts) and before every endpoint that takes a key;
        // the 401s it counts are reported by the OpenAI writer, so this is all a request that is let in runs.
        var keyThrottle = app.Services.GetRequiredService<HeaderKeyThrottle>();
        if (keyThrottle.Enabled)
        {
            app.Use(next => http => keyThrottle.Refuse(http) ?? next(http));
        }

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

        WarmUpProviders(app);
        return app;
    }

    /// <summary>
    /// Lets each provider load what its first request would otherwise wait for (the mock's tokenizer takes a few
    /// hundred milliseconds), in the background once the server has started.
    /// </summary>
    private static void WarmUpProviders(WebApplication app)
    {
        var providers = app.Services.GetRequiredService<Routing.ProviderRegistry>().Providers.Values;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Gateway");
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            foreach (var provider in providers)
            {
                try
                {
                    await provider.WarmUpAsync(app.Lifetime.ApplicationStopping);
                }
#pragma warning disable CA1031 // A warm-up that fails only costs the first request its time; it must not take the process down.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.WarmUpFailed(logger, provider.Name, ex);
                }
            }
        }));
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
    /// loopback address, or anywhere when <c>auth.allow_anonymous: true</c> says it is meant. Null when allowed.
    /// </summary>
    private static string? OpenNetworkListenerProblem(IConfiguration configuration, ListenAddress listen, string where)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName);
        var hasMasterKey = !string.IsNullOrEmpty(auth["master_key"]);
        var anonymous = bool.TryParse(auth["allow_anonymous"], out var allowed) && allowed;
        var loopback = listen.IsLocalhost || (listen.Address is { } address && System.Net.IPAddress.IsLoopback(address));
        return !hasMasterKey && !anonymous && !loopback
            ? $"{where}: refusing to listen beyond loopback without auth; set auth.master_key (or {AuthOptions.MasterKeyVariable}), or auth.allow_anonymous: true to be open on purpose."
            : null;
    }

    /// <summary>
    /// Binds and validates now, so a bad file stops start-up with a message instead of failing the first request:
    /// the checker's problems, each provider kind's unknown settings and every options validator's failures
    /// (including the sections bound on their own: <c>database:</c>, <c>auth:</c>, <c>cache:</c>, features) together,
    /// one line each.
    /// </summary>
    private static void ResolveOrExplain(IServiceProvider services, IConfiguration configuration, ConfigurationCheck check, List<string> problems, string source, IReadOnlyList<IGatewayFeature> features)
    {
        CheckProviderSettings(services, configuration, check, problems, source);
        try
        {
            _ = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures.Select(f => $"{source}: {f}"));
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"{source}: {Explain(ex)}");
        }

        foreach (var feature in features)
        {
            try
            {
                feature.Validate(services);
            }
            catch (OptionsValidationException ex)
            {
                problems.AddRange(ex.Failures.Select(f => $"{source}: {f}"));
            }
        }

        // Sections bound as options of their own (ValidateOnStart), checked now rather than when the host starts.
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            problems.AddRange(ex.Failures.Select(f => $"{source}: {f}"));
        }
        catch (AggregateException ex)
        {
            problems.AddRange(ex.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures).Select(f => $"{source}: {f}"));
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationFileException(string.Join(Environment.NewLine, problems.Distinct()));
        }

        try
        {
            _ = services.GetRequiredService<GatewayPipeline>();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationFileException($"{source}: {Explain(ex)}", ex);
        }
    }

    /// <summary>The keys of a provider entry that only its kind reads (the mock's <c>fixtures</c>): known to its factory, or unknown.</summary>
    private static void CheckProviderSettings(IServiceProvider services, IConfiguration configuration, ConfigurationCheck check, List<string> problems, string source)
    {
        if (check.ExtensionKeys.Count == 0)
        {
            return;
        }

        var factories = services.GetServices<IChatProviderFactory>().ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);
        var common = ConfigurationChecker.KeysOf(typeof(ProviderOptions));
        foreach (var path in check.ExtensionKeys)
        {
            // providers:INDEX:KEY
            var parts = path.Split(ConfigurationPath.KeyDelimiter);
            if (parts.Length < 3)
            {
                continue;
            }

            var type = configuration[ConfigurationPath.Combine(parts[0], parts[1], "type")];
            if (!factories.TryGetValue(type ?? string.Empty, out var factory))
            {
                // An unknown type is reported by validation; its keys cannot be judged.
                continue;
            }

            if (!factory.SettingKeys.Contains(parts[2], StringComparer.OrdinalIgnoreCase))
            {
                var owners = factories.Values.Where(f => f.SettingKeys.Contains(parts[2], StringComparer.OrdinalIgnoreCase)).Select(f => f.Type).ToList();
                var message = owners.Count > 0
                    ? $"a setting of type: {string.Join(" or ", owners)}, not of type: {type}."
                    : ConfigurationChecker.UnknownKey(parts[2], common.Concat(factory.SettingKeys));
                problems.Add(new ConfigurationProblem(path, message).Describe(source));
            }
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Provider {Provider} could not warm up; its first request will take longer")]
        public static partial void WarmUpFailed(ILogger logger, string provider, Exception exception);
    }

    [GeneratedRegex("Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex ConversionPattern();
}
