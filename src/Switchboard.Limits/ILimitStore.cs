namespace Switchboard.Limits;

/// <summary>
/// Where rate-limit and budget counters live: this process's memory, or Redis shared by every replica. One
/// call admits a request against every limit that applies, atomically (all are taken, or none); one call
/// afterwards settles its real token usage and cost.
/// </summary>
public interface ILimitStore
{
    /// <summary>A short name for logs and docs (<c>memory</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Checks every limit and the budget; when all pass, takes one request and <see cref="AdmissionRequest.EstimatedTokens"/>
    /// from each. Never throws for an unreachable store: that is an outcome (or a local decision).
    /// </summary>
    ValueTask<Admission> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Corrects the tokens taken at admission to <paramref name="actualTokens"/> (a refund when fewer were used)
    /// and adds <paramref name="costNanos"/> to the key's spend. Off the request path: it does not wait for a
    /// remote store. Settling twice, or settling a refused admission, does nothing.
    /// </summary>
    void Settle(Admission admission, long actualTokens, long costNanos);
}
