namespace Switchboard.Gateway.Telemetry;

/// <summary>Attribute names of the OpenTelemetry GenAI semantic conventions (and the gateway's own), in one place.</summary>
public static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary>The older name of <see cref="ProviderName"/>, still read by many backends.</summary>
    public const string System = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ConversationId = "gen_ai.conversation.id";

    public const string RequestId = "switchboard.request_id";
    public const string Deployment = "switchboard.deployment";
    public const string Provider = "switchboard.provider";
    public const string Attempts = "switchboard.attempts";
    public const string Attempt = "switchboard.attempt";
    public const string Cache = "switchboard.cache";
    public const string CostUsd = "switchboard.cost_usd";
    public const string KeyPrefix = "switchboard.key_prefix";
    public const string Stage = "switchboard.stage";
    public const string Stream = "switchboard.stream";
}
