using Microsoft.Extensions.Options;
using Switchboard.Gateway.Configuration;
using Switchboard.Limits;
using Switchboard.OpenAI;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Limits;

/// <summary>
/// Decides which limits apply to a request and how many tokens it is expected to take: the key's own (or
/// <c>limits.per_key</c>), the end user's (<c>limits.per_user</c>), the model's and its deployments'
/// (<c>rpm</c>/<c>tpm</c> in <c>models:</c>), and the key's budget. Built once from configuration; tokens are
/// counted only when a token limit applies.
/// </summary>
public sealed class LimitPlanner
{
    private readonly RateOptions _perKey;
    private readonly RateOptions _perUser;
    private readonly int _completionEstimate;
    private readonly ITokenCounter _tokens;
    private readonly Dictionary<string, RateLimit> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RateLimit> _deployments = new(StringComparer.Ordinal);

    public LimitPlanner(IOptions<SwitchboardOptions> options, ITokenCounter tokens)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        var value = options.Value;
        _perKey = value.Limits.PerKey;
        _perUser = value.Limits.PerUser;
        _completionEstimate = value.Limits.CompletionTokensEstimate;
        _tokens = tokens;
        foreach (var model in value.Models)
        {
            var limit = new RateLimit(LimitScope.Model, model.Name, model.Rpm, model.Tpm);
            if (limit.IsActive)
            {
                _models[model.Name] = limit;
            }

            foreach (var deployment in model.Deployments)
            {
                var id = deployment.Provider + "/" + (deployment.Model ?? model.Name);
                var capacity = new RateLimit(LimitScope.Deployment, id, deployment.Rpm, deployment.Tpm);
                if (capacity.IsActive)
                {
                    _deployments[id] = capacity;
                }
            }
        }
    }

    /// <summary>True when some limit applies to callers without a key of their own (per user, per model, per deployment).</summary>
    public bool HasConfiguredLimits =>
        _models.Count > 0 || _deployments.Count > 0 || _perUser.Rpm > 0 || _perUser.Tpm > 0 || _perKey.Rpm > 0 || _perKey.Tpm > 0;

    /// <summary>The capacity of a deployment (<c>provider/model</c>); inactive when it has none.</summary>
    public RateLimit DeploymentLimit(string deploymentId) =>
        _deployments.TryGetValue(deploymentId, out var limit) ? limit : new RateLimit(LimitScope.Deployment, deploymentId, 0, 0);

    /// <summary>True when some deployment has a capacity of its own: only then is a deployment chosen at admission.</summary>
    public bool HasDeploymentLimits => _deployments.Count > 0;

    /// <summary>
    /// The admission for one request, or null when nothing applies (the limiter is then not asked at all).
    /// </summary>
    /// <param name="key">The caller's key and its limits; null for the master key or an open gateway.</param>
    /// <param name="endUser">The end user within the key, if named.</param>
    /// <param name="model">The public model the request resolved to.</param>
    /// <param name="alternatives">The capacities of the model's deployments, in the order to try them (one is taken); empty when none has one.</param>
    /// <param name="state">Passed to <paramref name="estimateTokens"/> (a static lambda and its state: no closure per request).</param>
    /// <param name="estimateTokens">Counts the tokens the request is expected to take; called only when a token limit applies.</param>
    public AdmissionRequest? Plan<TState>(KeyLimits? key, string? endUser, string model, IReadOnlyList<RateLimit> alternatives, TState state, Func<TState, long> estimateTokens)
    {
        ArgumentNullException.ThrowIfNull(alternatives);
        ArgumentNullException.ThrowIfNull(estimateTokens);
        var keyLimit = key is null ? default : new RateLimit(LimitScope.Key, key.KeyId, key.Rpm ?? _perKey.Rpm, key.Tpm ?? _perKey.Tpm);
        var userLimit = endUser is { Length: > 0 } && (_perUser.Rpm > 0 || _perUser.Tpm > 0)
            ? new RateLimit(LimitScope.User, (key?.KeyId ?? "-") + "/" + endUser, _perUser.Rpm, _perUser.Tpm)
            : default;
        var modelLimit = _models.GetValueOrDefault(model);
        var count = (keyLimit.IsActive ? 1 : 0) + (userLimit.IsActive ? 1 : 0) + (modelLimit.IsActive ? 1 : 0);
        var budget = key?.Budget is { IsActive: true } b ? b : null;
        if (count == 0 && budget is null && alternatives.Count == 0)
        {
            return null;
        }

        // Exactly as many as apply: this array is the request's for its whole life (admission and settlement).
        var limits = count == 0 ? [] : new RateLimit[count];
        var n = 0;
        var countsTokens = false;
        foreach (var limit in (ReadOnlySpan<RateLimit>)[keyLimit, userLimit, modelLimit])
        {
            if (limit.IsActive)
            {
                limits[n++] = limit;
                countsTokens |= limit.TokensPerMinute > 0;
            }
        }

        for (var i = 0; i < alternatives.Count; i++)
        {
            countsTokens |= alternatives[i].TokensPerMinute > 0;
        }

        return new AdmissionRequest
        {
            Limits = limits,
            Alternatives = alternatives,
            EstimatedTokens = countsTokens ? estimateTokens(state) : 0,
            Budget = budget,
        };
    }

    /// <summary>Prompt tokens counted, plus the completion the request may ask for (<c>max_completion_tokens</c>, <c>max_tokens</c>, else <c>limits.completion_tokens_estimate</c>) times <c>n</c>.</summary>
    public long EstimateChat(ChatCompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = CountPrompt(request);
        long completion = request.MaxCompletionTokens ?? request.MaxTokens ?? _completionEstimate;
        return prompt + (Math.Max(0, completion) * Math.Max(1, request.N ?? 1));
    }

    /// <summary>The prompt's tokens alone, message framing included.</summary>
    public long CountPrompt(ChatCompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _tokens.CountPromptTokens(request.Messages ?? []);
    }

    /// <summary>The tokens of every text input of an embeddings request.</summary>
    public long EstimateEmbeddings(EmbeddingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long total = 0;
        foreach (var input in request.GetInputs())
        {
            total += input is null ? 0 : _tokens.CountTokens(input);
        }

        return total;
    }

    /// <summary>Tokens of an answer's text, for an upstream that reported no usage.</summary>
    public long CountCompletion(ChatCompletionResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        long total = 0;
        foreach (var choice in response.Choices ?? [])
        {
            total += choice.Message?.Content is { } content ? _tokens.CountTokens(content.Text) : 0;
        }

        return total;
    }
}
