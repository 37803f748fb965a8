namespace Switchboard.Gateway.Routing;

/// <summary>
/// One deployment's circuit breaker. After <see cref="FailureThreshold"/> retryable failures in a row it opens
/// and the router skips the deployment for <see cref="Cooldown"/>; then a single trial request may go through
/// (half-open): its success closes the circuit, its failure opens it for another cooldown. A trial that takes
/// longer than a cooldown loses its lease, and the next request becomes the trial: one slow or hung call
/// does not keep the deployment out of rotation. Any other answer (success or a client error) resets the
/// count: the upstream is answering.
/// </summary>
/// <remarks>
/// The router asks every request, so the closed path is one volatile read and writes nothing. The whole state
/// is one <see langword="long"/>, so each transition is a single compare-and-swap: only one caller can open
/// the circuit or hold the trial, and a trial whose lease was taken over cannot close or reopen the circuit.
/// Under concurrency "in a row" is approximate: a success from one request resets the count that failures of
/// others are adding to, which only delays opening.
/// </remarks>
public sealed class CircuitBreaker
{
    /// <summary>The trial handle of a call that is not a trial.</summary>
    public const long NoTrial = 0;

    private const long ClosedState = 0;

    private readonly TimeProvider _timeProvider;
    private readonly long _cooldownTimestamps;

    // 0: closed; > 0: open until this TimeProvider timestamp; < 0: half-open, the trial started at -state.
    private long _state;
    private int _failures;

    /// <param name="failureThreshold">Retryable failures in a row that open the circuit; 0 never opens it.</param>
    /// <param name="cooldown">How long the circuit stays open before a trial request, and how long a trial may take.</param>
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

    /// <summary>Retryable failures in a row that open the circuit; 0 never opens it.</summary>
    public int FailureThreshold { get; }

    /// <summary>How long the circuit stays open before a trial, and how long a trial may take.</summary>
    public TimeSpan Cooldown { get; }

    /// <summary>True unless the circuit is open or its trial request is out. The router's check on every request.</summary>
    public bool IsClosed => Volatile.Read(ref _state) == ClosedState;

    /// <summary>The state now, for reports (an open circuit whose cooldown is over stays open until a trial starts).</summary>
    public CircuitState State => Volatile.Read(ref _state) switch
    {
        ClosedState => CircuitState.Closed,
        < 0 => CircuitState.HalfOpen,
        _ => CircuitState.Open,
    };

    /// <summary>
    /// How long until a trial request may go: the rest of the cooldown when open, the rest of the trial's lease
    /// when half-open; zero when closed or when a trial may start now.
    /// </summary>
    public TimeSpan RemainingCooldown
    {
        get
        {
            var state = Volatile.Read(ref _state);
            if (state == ClosedState)
            {
                return TimeSpan.Zero;
            }

            var until = state > 0 ? state : -state + _cooldownTimestamps;
            var now = _timeProvider.GetTimestamp();
            return now < until ? _timeProvider.GetElapsedTime(now, until) : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Takes the one trial request of an open circuit whose cooldown is over, or of a half-open one whose trial
    /// has run for longer than a cooldown. True for exactly one caller, who gets the trial's handle in
    /// <paramref name="trial"/> and must report its outcome with it (<see cref="OnSuccess"/>,
    /// <see cref="OnFailure"/> or <see cref="OnAbandoned"/>).
    /// </summary>
    public bool TryStartTrial(out long trial)
    {
        trial = NoTrial;
        var state = Volatile.Read(ref _state);
        if (state == ClosedState)
        {
            return false;
        }

        var now = _timeProvider.GetTimestamp();
        var available = state > 0 ? now >= state : now - -state >= _cooldownTimestamps;
        var start = Math.Max(1, now);
        if (!available || Interlocked.CompareExchange(ref _state, -start, state) != state)
        {
            return false;
        }

        trial = start;
        return true;
    }

    /// <summary>The upstream answered (success or a client error). Closes the circuit after a trial that still holds its lease.</summary>
    public CircuitTransition OnSuccess(long trial)
    {
        if (trial != NoTrial)
        {
            if (Interlocked.CompareExchange(ref _state, ClosedState, -trial) != -trial)
            {
                return CircuitTransition.None;
            }

            Volatile.Write(ref _failures, 0);
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
    public CircuitTransition OnFailure(long trial)
    {
        if (trial != NoTrial)
        {
            return Interlocked.CompareExchange(ref _state, OpenUntil(_timeProvider.GetTimestamp()), -trial) == -trial
                ? CircuitTransition.Reopened
                : CircuitTransition.None;
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
    /// The call ended without telling anything about the upstream (the client went away, the provider refused
    /// the request itself). A trial's slot is handed back at once, so the next request can try.
    /// </summary>
    public void OnAbandoned(long trial)
    {
        if (trial != NoTrial)
        {
            Interlocked.CompareExchange(ref _state, Math.Max(1, _timeProvider.GetTimestamp()), -trial);
        }
    }

    // Never 0 (that means closed), even on a clock that starts at 0.
    private long OpenUntil(long now) => Math.Max(1, now + _cooldownTimestamps);
}
