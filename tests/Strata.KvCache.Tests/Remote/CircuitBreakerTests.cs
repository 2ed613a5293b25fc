using Strata.KvCache.Remote;

namespace Strata.KvCache.Tests.Remote;

public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);
    private readonly ManualTime _time = new();
    private readonly List<(BreakerState From, BreakerState To)> _transitions = [];
    private readonly CircuitBreaker _breaker;

    public CircuitBreakerTests() =>
        _breaker = new CircuitBreaker(3, Backoff, TimeSpan.FromSeconds(4), _time, (from, to, _) => _transitions.Add((from, to)));

    [Fact]
    public void RecordFailure_BelowThreshold_StaysClosed()
    {
        _breaker.RecordFailure(new TimeoutException());
        _breaker.RecordFailure(new TimeoutException());
        _breaker.RecordSuccess();
        _breaker.RecordFailure(new TimeoutException());
        _breaker.RecordFailure(new TimeoutException());

        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.True(_breaker.TryAcquire());
    }

    [Fact]
    public void TryAcquire_AfterThresholdFailures_RefusesUntilBackoffThenAllowsOneProbe()
    {
        Fail(3);
        Assert.True(_breaker.IsOpen);
        Assert.False(_breaker.TryAcquire());

        _time.Advance(Backoff * 1.25); // past the longest jittered backoff
        Assert.False(_breaker.IsOpen);
        Assert.True(_breaker.TryAcquire());
        Assert.Equal(BreakerState.HalfOpen, _breaker.State);
        Assert.False(_breaker.TryAcquire());
    }

    [Fact]
    public void RecordSuccess_OfProbe_Closes()
    {
        Fail(3);
        _time.Advance(Backoff * 1.25);
        Assert.True(_breaker.TryAcquire());

        _breaker.RecordSuccess();

        Assert.Equal(BreakerState.Closed, _breaker.State);
        Assert.Equal([(BreakerState.Closed, BreakerState.Open), (BreakerState.Open, BreakerState.HalfOpen), (BreakerState.HalfOpen, BreakerState.Closed)], _transitions);
    }

    [Fact]
    public void RecordFailure_OfProbe_ReopensWithLongerBackoffUpToTheCap()
    {
        Fail(3);
        _time.Advance(Backoff * 1.25);
        Assert.True(_breaker.TryAcquire());
        _breaker.RecordFailure(new TimeoutException());

        Assert.Equal(BreakerState.Open, _breaker.State);
        _time.Advance(Backoff * 1.25);
        Assert.False(_breaker.TryAcquire()); // the second backoff is at least 1.6 s
        _time.Advance(Backoff * 1.25); // past the longest second backoff, 2.4 s
        Assert.True(_breaker.TryAcquire());
        _breaker.RecordFailure(new TimeoutException());
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(4.8)); // the cap plus jitter
            Assert.True(_breaker.TryAcquire());
            _breaker.RecordFailure(new TimeoutException());
        }
    }

    [Fact]
    public void TryAcquire_ProbeThatNeverReports_AllowsAnotherAfterBackoff()
    {
        Fail(3);
        _time.Advance(Backoff * 1.25);
        Assert.True(_breaker.TryAcquire());

        _time.Advance(Backoff * 1.25);

        Assert.True(_breaker.TryAcquire());
    }

    private void Fail(int times)
    {
        for (var i = 0; i < times; i++)
            _breaker.RecordFailure(new TimeoutException());
    }
}
