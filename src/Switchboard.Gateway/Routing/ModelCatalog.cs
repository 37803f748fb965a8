using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Routing;

/// <summary>Answers <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> from the route table: the pipeline's last step for model listings.</summary>
public sealed class ModelCatalog
{
    private readonly RouteTable _routes;
    private readonly ModelsResult _all;

    /// <summary>A catalog of the models in <paramref name="routes"/>.</summary>
    public ModelCatalog(RouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes;
        // The table is immutable: one listing serves every request.
        _all = ModelsResult.Listed(new ModelList { Data = [.. routes.Models.Select(r => ToModelInfo(r.Name))] });
    }

    /// <summary>The listing, or the model <see cref="GatewayContext.ModelId"/> names (exact name or alias, no rules).</summary>
    public ModelsResult Answer(GatewayContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.ModelId is not { } id)
        {
            return _all;
        }

        return _routes.Find(id) is null ? ModelsResult.Failure(GatewayError.ModelNotFound(id)) : ModelsResult.Found(ToModelInfo(id));
    }

    private static ModelInfo ToModelInfo(string id) => new() { Id = id, Created = 0, OwnedBy = "switchboard" };
}
