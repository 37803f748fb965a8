namespace Switchboard.Mock;

/// <summary>How the engine decides.</summary>
public sealed record MockEngineOptions
{
    /// <summary>Reject a request that two fixtures match equally well (same priority and specificity) with 409.</summary>
    public bool Strict { get; init; }

    /// <summary>Answer with the echo model while no fixture is loaded (the gateway's offline default).</summary>
    public bool EchoWhenEmpty { get; init; }
}
