namespace Switchboard.Gateway.Routing;

/// <summary>
/// One deployment's circuit breaker. After <see cref="FailureThreshold"/> retryable failures in a row it opens
/// and the router skips the deployment for <see cref="Cooldown"/>; then a single trial request may go through
/// (half-open): its success closes the circuit, its failure opens it for another cooldown. Any other answer
/// (success or a client error) resets the count: the upstream is answering.
/// </summary>
/// <remarks>
/// The router asks every request, so the closed path is one volatile read and writes nothing. The whole state
/// is one <see langword="long"/>, so each transition is a single compare-and-swap: only one caller can open
/// the circuit and only one can take the trial. Under concurrency "in a row" is approximate: a success from
/// one request resets the count that failures of others are adding to, which only delays opening.
/// </remarks>
public sealed class CircuitBreaker
{
    private const long ClosedState = 0;
    private const long HalfOpenState = -1;

    private readonly TimeProvider _timeProvider;
    private readonly long _cooldownTimestamps;

    // 0: closed; -1: half-open (the trial request is out); > 0: open until this TimeProvider timestamp.
    private long _state;
    private int _failures;

    /// <param name="failureThreshold">Retryable failures in a row that open the circuit; 0 never opens it.</param>
    /// <param name="cooldown">How long the circuit stays open before a trial request.</param>
    /// <param name="timeProvider">The clock; tests pass a fake one.</param>
    public CircuitBreaker(int failureThreshold, TimeSpan cooldown, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failureThreshold);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(cooldown, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        FailureThreshold = failureThreshold;
        Cooldown = cooldown;
        _timeProvider = timeProvider;
        _cooldownTimestamps = (long)Math.Ceiling(cooldown.TotalSeconds * timeProvider.TimestampFrequency);
    }

    public int FailureThreshold { get; }

    public TimeSpan Cooldown { get; }

    /// <summary>True unless the circuit is open or its trial request is out. The router's check on every request.</summary>
    public bool IsClosed => Volatile.Read(ref _state) == ClosedState;

    /// <summary>The state now, for reports (an open circuit whose cooldown is over stays open until a trial starts).</summary>
    public CircuitState State => Volatile.Read(ref _state) switch
    {
        ClosedState => CircuitState.Closed,
        HalfOpenState => CircuitState.HalfOpen,
        _ => CircuitState.Open,
    };

    /// <summary>How long until a trial request may go; zero when closed, half-open or the cooldown is over.</summary>
    public TimeSpan RemainingCooldown
    {
        get
        {
            var openUntil = Volatile.Read(ref _state);
            var now = _timeProvider.GetTimestamp();
            return openUntil > 0 && now < openUntil ? _timeProvider.GetElapsedTime(now, openUntil) : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Takes the one trial request of an open circuit whose cooldown is over. True for exactly one caller; that
    /// caller must report the outcome with <c>isTrial: true</c> (<see cref="OnSuccess"/>, <see cref="OnFailure"/>
    /// or <see cref="OnAbandoned"/>), or the deployment stays out of rotation.
    /// </summary>
    public bool TryStartTrial()
    {
        var openUntil = Volatile.Read(ref _state);
        return openUntil > 0
            && _timeProvider.GetTimestamp() >= openUntil
            && Interlocked.CompareExchange(ref _state, HalfOpenState, openUntil) == openUntil;
    }

    /// <summary>The upstream answered (success or a client error). Closes the circuit after a trial.</summary>
    public CircuitTransition OnSuccess(bool isTrial)
    {
        if (isTrial)
        {
            Volatile.Write(ref _failures, 0);
            Volatile.Write(ref _state, ClosedState);
            return CircuitTransition.Closed;
        }

        // Read before writing: on the happy path the count is already 0, and a write to a field every request
        // shares would bounce its cache line between cores.
        if (Volatile.Read(ref _failures) != 0)
        {
            Volatile.Write(ref _failures, 0);
        }

        return CircuitTransition.None;
    }

    /// <summary>The call failed in a way another deployment might not (408, 429, 5xx, timeout, unreachable).</summary>
    public CircuitTransition OnFailure(bool isTrial)
    {
        if (isTrial)
        {
            Volatile.Write(ref _state, OpenUntil(_timeProvider.GetTimestamp()));
            return CircuitTransition.Reopened;
        }

        // Calls that started before the circuit opened may still come back; they neither count nor extend it.
        if (FailureThreshold == 0 || Volatile.Read(ref _state) != ClosedState
            || Interlocked.Increment(ref _failures) < FailureThreshold)
        {
            return CircuitTransition.None;
        }

        if (Interlocked.CompareExchange(ref _state, OpenUntil(_timeProvider.GetTimestamp()), ClosedState) != ClosedState)
        {
            return CircuitTransition.None;
        }

        Volatile.Write(ref _failures, 0);
        return CircuitTransition.Opened;
    }

    /// <summary>
    /// The call ended without telling anything about the upstream (the client went away). A trial's slot is
    /// handed back at once, so the next request can try.
    /// </summary>
    public void OnAbandoned(bool isTrial)
    {
        if (isTrial)
        {
            Volatile.Write(ref _state, Math.Max(1, _timeProvider.GetTimestamp()));
        }
    }

    // Never 0 (that means closed), even on a clock that starts at 0.
    private long OpenUntil(long now) => Math.Max(1, now + _cooldownTimestamps);
}
