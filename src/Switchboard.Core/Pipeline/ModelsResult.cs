using Switchboard.Errors;
using Switchboard.OpenAI;

namespace Switchboard.Pipeline;

/// <summary>What <c>GET /v1/models</c> (a <see cref="List"/>) or <c>GET /v1/models/{id}</c> (one <see cref="Model"/>) returns.</summary>
public sealed record ModelsResult : GatewayResult
{
    private ModelsResult(ModelList? list, ModelInfo? model, GatewayError? error)
    {
        List = list;
        Model = model;
        Error = error;
    }

    /// <summary>The models a caller may use, for a listing.</summary>
    public ModelList? List { get; init; }

    /// <summary>One model, for a lookup by id.</summary>
    public ModelInfo? Model { get; init; }

    /// <inheritdoc />
    public override GatewayError? Error { get; }

    /// <summary>A listing.</summary>
    public static ModelsResult Listed(ModelList list) => new(list ?? throw new ArgumentNullException(nameof(list)), null, null);

    /// <summary>One model found by id.</summary>
    public static ModelsResult Found(ModelInfo model) => new(null, model ?? throw new ArgumentNullException(nameof(model)), null);

    /// <summary>A failed lookup (an unknown model, a caller who may not see it).</summary>
    public static ModelsResult Failure(GatewayError error) => new(null, null, error ?? throw new ArgumentNullException(nameof(error)));
}
