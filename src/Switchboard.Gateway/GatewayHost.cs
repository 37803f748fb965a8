using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Endpoints;
using Switchboard.Hosting.Http;
using Switchboard.Pipeline;

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
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // One line per refused connection during an overload; ConnectionLimits logs the overload once instead.
        builder.Logging.AddFilter(ConnectionLimits.KestrelConnectionsCategory, LogLevel.Error);
        hostOptions.ConfigureLogging?.Invoke(builder.Logging);

        builder.Services.AddSwitchboardGateway(configuration);
        builder.Services.AddRequestDecompression();
        hostOptions.ConfigureServices?.Invoke(builder.Services);

        var server = BindServerOptions(configuration, source);
        var host = hostOptions.Host ?? server.Host;
        var port = hostOptions.Port ?? server.Port;
        var listen = ListenAddress.TryParse(host, out var hostProblem)
            ?? throw new ConfigurationFileException(hostOptions.Host is null ? $"{source}: server.host: {hostProblem}." : $"--host: {hostProblem}.");
        var limits = ConnectionLimits.Resolve(server.MaxConnections, server.MaxUpgradedConnections);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listen.Apply(kestrel, port, limits.CountConnections());
            limits.Apply(kestrel);
            kestrel.AddServerHeader = false;
            // The reader enforces the configured limit with a clean 413 and reads (discarding) what a client
            // still sends past it; Kestrel's hard limit only bounds that draining.
            kestrel.Limits.MaxRequestBodySize = server.MaxBodyBytes * 4;
        });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = server.ShutdownTimeout);

        var app = builder.Build();
        ResolveOrExplain(app.Services, configuration, source);
        app.UseOpenAIErrors();
        GatewayEndpoints.Map(app);
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

    private static ServerOptions BindServerOptions(IConfiguration configuration, string source)
    {
        try
        {
            return configuration.GetSection("server").Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationFileException($"{source}: {Explain(ex)}", ex);
        }
    }

    /// <summary>Binds and validates now, so a bad file stops start-up with a message instead of failing the first request.</summary>
    private static void ResolveOrExplain(IServiceProvider services, IConfiguration configuration, string source)
    {
        var unknown = ConfigurationKeyChecker.FindUnknownKeys(configuration, typeof(SwitchboardOptions));
        if (unknown.Count > 0)
        {
            throw new ConfigurationFileException(string.Join(
                Environment.NewLine,
                unknown.Select(key => $"{source}: {GatewayConfigurationLoader.DisplayKey(key)}: unknown key; check its spelling against the configuration reference in the README.")));
        }

        try
        {
            _ = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
            _ = services.GetRequiredService<ChatPipeline>();
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
