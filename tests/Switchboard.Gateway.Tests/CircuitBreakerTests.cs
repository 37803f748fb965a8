using Microsoft.Extensions.Time.Testing;
using Switchboard.Gateway.Routing;

namespace Switchboard.Gateway.Tests;

/// <summary>The state machine of one deployment's circuit, on a fake clock.</summary>
public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();

    private CircuitBreaker Breaker(int failures = 3) => new(failures, Cooldown, _time);

    private static void Fail(CircuitBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            breaker.OnFailure(CircuitBreaker.NoTrial);
        }
    }

    [Fact]
    public void OpensAfterTheConfiguredFailuresInARow()
    {
        var breaker = Breaker(failures: 3);

        Assert.Equal(CircuitTransition.None, breaker.OnFailure(CircuitBreaker.NoTrial));
        Assert.Equal(CircuitTransition.None, breaker.OnFailure(CircuitBreaker.NoTrial));
        Assert.True(breaker.IsClosed);
        Assert.Equal(CircuitTransition.Opened, breaker.OnFailure(CircuitBreaker.NoTrial));

        Assert.False(breaker.IsClosed);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(Cooldown, breaker.RemainingCooldown);
    }

    [Fact]
    public void SuccessResetsTheCount()
    {
        var breaker = Breaker(failures: 3);

        Fail(breaker, 2);
        breaker.OnSuccess(CircuitBreaker.NoTrial);
        Fail(breaker, 2);

        Assert.True(breaker.IsClosed);
        Assert.Equal(CircuitTransition.Opened, breaker.OnFailure(CircuitBreaker.NoTrial));
    }

    [Fact]
    public void NoTrialUntilTheCooldownIsOver()
    {
        var breaker = Breaker();
        Fail(breaker, 3);

        _time.Advance(Cooldown - TimeSpan.FromMilliseconds(1));

        Assert.False(breaker.TryStartTrial(out _));
        Assert.Equal(TimeSpan.FromMilliseconds(1), breaker.RemainingCooldown);
        Assert.False(breaker.IsClosed);
    }

    [Fact]
    public void AfterTheCooldownOneTrialGoesAndItsSuccessCloses()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(Cooldown);

        var trial = StartTrial(breaker);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(breaker.TryStartTrial(out _));
        Assert.False(breaker.IsClosed);

        Assert.Equal(CircuitTransition.Closed, breaker.OnSuccess(trial));
        Assert.True(breaker.IsClosed);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void FailedTrialReopensForAnotherCooldown()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(Cooldown + TimeSpan.FromSeconds(5));
        var trial = StartTrial(breaker);

        Assert.Equal(CircuitTransition.Reopened, breaker.OnFailure(trial));

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(Cooldown, breaker.RemainingCooldown);
        Assert.False(breaker.TryStartTrial(out _));
        _time.Advance(Cooldown);
        Assert.True(breaker.TryStartTrial(out _));
    }

    [Fact]
    public void ClosedCircuitCountsFromZeroAgain()
    {
        var breaker = Breaker(failures: 3);
        Fail(breaker, 3);
        _time.Advance(Cooldown);
        var trial = StartTrial(breaker);
        breaker.OnSuccess(trial);

        Fail(breaker, 2);

        Assert.True(breaker.IsClosed);
    }

    [Fact]
    public void AbandonedTrialCanBeTakenAgainAtOnce()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(Cooldown);
        var trial = StartTrial(breaker);

        breaker.OnAbandoned(trial);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(breaker.TryStartTrial(out _));
    }

    [Fact]
    public void ATrialThatOutlastsACooldownLosesItsLeaseAndCannotDecideAnyMore()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(Cooldown);
        var slow = StartTrial(breaker);

        _time.Advance(Cooldown - TimeSpan.FromSeconds(1));
        Assert.False(breaker.TryStartTrial(out _));
        Assert.Equal(TimeSpan.FromSeconds(1), breaker.RemainingCooldown);
        _time.Advance(TimeSpan.FromSeconds(1));
        var next = StartTrial(breaker);

        Assert.Equal(CircuitTransition.None, breaker.OnSuccess(slow));
        Assert.Equal(CircuitTransition.None, breaker.OnFailure(slow));
        breaker.OnAbandoned(slow);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(CircuitTransition.Closed, breaker.OnSuccess(next));
    }

    [Fact]
    public void LateAnswersOfCallsFromBeforeItOpenedChangeNothing()
    {
        var breaker = Breaker();
        Fail(breaker, 3);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(CircuitTransition.None, breaker.OnFailure(CircuitBreaker.NoTrial));
        Assert.Equal(CircuitTransition.None, breaker.OnSuccess(CircuitBreaker.NoTrial));
        breaker.OnAbandoned(CircuitBreaker.NoTrial);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.RemainingCooldown);
    }

    [Fact]
    public void ZeroFailuresNeverOpens()
    {
        var breaker = Breaker(failures: 0);

        Fail(breaker, 1000);

        Assert.True(breaker.IsClosed);
        Assert.False(breaker.TryStartTrial(out _));
    }

    [Fact]
    public void OnlyOneOfManyConcurrentCallersGetsTheTrial()
    {
        const int Callers = 8;
        for (var round = 0; round < 50; round++)
        {
            var breaker = Breaker();
            Fail(breaker, 3);
            _time.Advance(Cooldown);
            var winners = 0;

            RunTogether(Callers, () =>
            {
                if (breaker.TryStartTrial(out _))
                {
                    Interlocked.Increment(ref winners);
                }
            });

            Assert.Equal(1, winners);
        }
    }

    [Fact]
    public void ConcurrentFailuresOpenItOnce()
    {
        const int Callers = 8;
        var breaker = Breaker(failures: 5);
        var opened = 0;

        RunTogether(Callers, () =>
        {
            for (var i = 0; i < 100; i++)
            {
                if (breaker.OnFailure(CircuitBreaker.NoTrial) == CircuitTransition.Opened)
                {
                    Interlocked.Increment(ref opened);
                }
            }
        });

        Assert.Equal(1, opened);
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    private static long StartTrial(CircuitBreaker breaker)
    {
        Assert.True(breaker.TryStartTrial(out var trial));
        return trial;
    }

    /// <summary>Runs <paramref name="body"/> on that many dedicated threads released at the same moment (the thread pool would add threads too slowly).</summary>
    private static void RunTogether(int threads, Action body)
    {
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            body();
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
    }
}
