using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Telemetry;

/// <summary>
/// The gateway's instruments on the <see cref="GatewayTelemetry.MeterName"/> meter. Names follow the
/// OpenTelemetry GenAI semantic conventions where they define one (durations, time to first token, token
/// usage) and <c>switchboard.*</c> otherwise. Recorded once per request, when it completes.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    // Seconds: LLM calls run from milliseconds (cache hits) to minutes (long generations).
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<double> _costSaved;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _rateLimited;
    private readonly UpDownCounter<long> _activeStreams;

    public GatewayMetrics(IMeterFactory meterFactory, RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(routes);
        _meter = meterFactory.Create(GatewayTelemetry.MeterName);
        _requests = _meter.CreateCounter<long>("switchboard.requests", "{request}", "Requests answered, by operation, model, status and error code.");
        _errors = _meter.CreateCounter<long>("switchboard.errors", "{request}", "Requests that ended in an error, by error code (error.type) and status.");
        _duration = _meter.CreateHistogram<double>("gen_ai.server.request.duration", "s", "Time from the request's arrival to its last byte.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstToken = _meter.CreateHistogram<double>("gen_ai.server.time_to_first_token", "s", "Time from a streamed request's arrival to its first upstream chunk.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _tokenUsage = _meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Tokens per request, by gen_ai.token.type (input, output).", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [.. TokenBuckets] });
        _tokens = _meter.CreateCounter<long>("switchboard.tokens", "{token}", "Tokens used, by gen_ai.token.type (input, output) and model.");
        _cost = _meter.CreateCounter<double>("switchboard.cost", "USD", "What the requests cost at the deployments' prices.");
        _costSaved = _meter.CreateCounter<double>("switchboard.cache.cost_saved", "USD", "What cache hits saved at the prices of the model they answered for.");
        _cacheLookups = _meter.CreateCounter<long>("switchboard.cache.lookups", "{request}", "Cache outcomes of chat requests (hit, semantic, miss).");
        _rateLimited = _meter.CreateCounter<long>("switchboard.rate_limit.rejections", "{request}", "Requests the gateway refused with 429 before asking an upstream.");
        _activeStreams = _meter.CreateUpDownCounter<long>("switchboard.streams.active", "{stream}", "Streamed answers being written right now.");
        _meter.CreateObservableGauge("switchboard.circuits.open", () => OpenCircuits(routes), "{deployment}", "Deployments whose circuit breaker is open or half-open.");
    }

    /// <summary>A streamed answer started going out.</summary>
    public void StreamStarted() => _activeStreams.Add(1);

    /// <summary>A streamed answer ended (completed, failed or abandoned).</summary>
    public void StreamEnded() => _activeStreams.Add(-1);

    /// <summary>Records a completed request from its context.</summary>
    public void Record(GatewayContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var operation = OperationName(context.Operation);
        var model = context.Route?.Name ?? (context.Operation == GatewayOperations.Models ? string.Empty : "unknown");
        var status = context.StatusCode;
        var errorCode = context.ErrorCode;

        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.RequestModel, model },
            { "http.response.status_code", status },
        };
        if (errorCode is not null)
        {
            tags.Add("error.type", errorCode);
        }

        _requests.Add(1, tags);
        if (context.Duration is { } duration)
        {
            _duration.Record(duration.TotalSeconds, tags);
        }

        if (errorCode is not null || status >= 400)
        {
            _errors.Add(1, new TagList { { "error.type", errorCode ?? "http_" + status }, { "http.response.status_code", status } });
            if (status == 429 && context.Attempts is null)
            {
                _rateLimited.Add(1, new TagList { { "error.type", errorCode }, { GenAiAttributes.RequestModel, model } });
            }
        }

        if (context.TimeToFirstToken is { } ttft)
        {
            _timeToFirstToken.Record(ttft.TotalSeconds, new TagList { { GenAiAttributes.OperationName, operation }, { GenAiAttributes.RequestModel, model } });
        }

        if (context.Usage is { } usage)
        {
            var provider = context.Deployment?.Provider.Type ?? "none";
            var input = new TagList { { GenAiAttributes.TokenType, "input" }, { GenAiAttributes.RequestModel, model }, { GenAiAttributes.ProviderName, provider } };
            var output = new TagList { { GenAiAttributes.TokenType, "output" }, { GenAiAttributes.RequestModel, model }, { GenAiAttributes.ProviderName, provider } };
            _tokens.Add(usage.PromptTokens, input);
            _tokens.Add(usage.CompletionTokens, output);
            _tokenUsage.Record(usage.PromptTokens, input);
            _tokenUsage.Record(usage.CompletionTokens, output);
            if (context.Cost is { } cost)
            {
                _cost.Add((double)cost, new TagList { { GenAiAttributes.RequestModel, model }, { GenAiAttributes.ProviderName, provider } });
            }
        }

        var cache = context.Cache;
        if (cache.Outcome != CacheOutcome.Bypass)
        {
            _cacheLookups.Add(1, new TagList { { "switchboard.cache.outcome", cache.HeaderValue }, { GenAiAttributes.RequestModel, model } });
            if (cache.CostSaved > 0)
            {
                _costSaved.Add((double)cache.CostSaved, new TagList { { GenAiAttributes.RequestModel, model } });
            }
        }
    }

    /// <summary>The <c>gen_ai.operation.name</c> of an operation (<c>chat</c>, <c>embeddings</c>, <c>models</c>).</summary>
    public static string OperationName(GatewayOperations operation) => operation switch
    {
        GatewayOperations.Chat => "chat",
        GatewayOperations.Embeddings => "embeddings",
        _ => "models",
    };

    public void Dispose() => _meter.Dispose();

    private static int OpenCircuits(RouteTable routes)
    {
        var open = 0;
        foreach (var circuit in routes.Circuits.Values)
        {
            if (circuit.State != CircuitState.Closed)
            {
                open++;
            }
        }

        return open;
    }
}
