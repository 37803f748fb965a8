namespace Switchboard.Gateway.Pipeline;

/// <summary>
/// The operations that go through the gateway's pipeline. A request is exactly one of them
/// (<see cref="GatewayContext.Operation"/>); a stage serves any combination (<see cref="IGatewayStage.Operations"/>).
/// </summary>
[Flags]
public enum GatewayOperations
{
    /// <summary>No operation: a stage that serves none is switched off and left out of the pipeline.</summary>
    None = 0,

    /// <summary><c>POST /v1/chat/completions</c>, plain or streamed.</summary>
    Chat = 1,

    /// <summary><c>POST /v1/embeddings</c>.</summary>
    Embeddings = 2,

    /// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
    Models = 4,

    /// <summary>Chat and embeddings: the operations that call an upstream and cost tokens.</summary>
    Inference = Chat | Embeddings,

    /// <summary>Every operation.</summary>
    All = Chat | Embeddings | Models,
}
