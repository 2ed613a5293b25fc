namespace Strata.KvCache.Remote;

/// <summary>
/// Stops asking a server that keeps failing. Closed: every operation goes through, and <c>failuresToOpen</c>
/// consecutive failures open it. Open: operations are refused at once until the backoff has passed; then the next
/// caller becomes the half-open probe. HalfOpen: only that probe goes through; success closes the breaker, failure
/// opens it again with twice the backoff (capped, ±20% jitter so a fleet of nodes does not probe in lock step).
/// </summary>
internal sealed class CircuitBreaker(
    int failuresToOpen, TimeSpan backoff, TimeSpan maxBackoff, TimeProvider time, Action<BreakerState, BreakerState, Exception?> transitioned)
{
    private readonly Lock _lock = new();
    private BreakerState _state = BreakerState.Closed;
    private int _failures;
    private int _consecutiveOpenings;
    private long _retryAt;
    private long _probeStartedAt;

    public BreakerState State
    {
        get
        {
            lock (_lock)
                return _state;
        }
    }

    /// <summary>True while operations would be refused: open, and the backoff has not yet passed.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
                return _state == BreakerState.Open && time.GetTimestamp() < _retryAt;
        }
    }

    /// <summary>Whether an operation may go to the server now; a true in the half-open state makes the caller the probe.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            switch (_state)
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.Open when now >= _retryAt:
                    _probeStartedAt = now;
                    Move(BreakerState.HalfOpen, null);
                    return true;
                case BreakerState.HalfOpen when time.GetElapsedTime(_probeStartedAt, now) > backoff:
                    // The probe never reported (its caller was cancelled): let another one try.
                    _probeStartedAt = now;
                    return true;
                default:
                    return false;
            }
        }
    }

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _failures = 0;
            if (_state == BreakerState.Closed)
                return;
            _consecutiveOpenings = 0;
            Move(BreakerState.Closed, null);
        }
    }

    public void RecordFailure(Exception reason)
    {
        lock (_lock)
        {
            if (_state == BreakerState.Open || (_state == BreakerState.Closed && ++_failures < failuresToOpen))
                return;
            _consecutiveOpenings++;
            var doubling = Math.Min(_consecutiveOpenings - 1, 16);
            var wait = Math.Min(maxBackoff.TotalSeconds, backoff.TotalSeconds * (1L << doubling)) * (0.8 + 0.4 * Random.Shared.NextDouble());
            _retryAt = time.GetTimestamp() + (long)(wait * time.TimestampFrequency);
            Move(BreakerState.Open, reason);
        }
    }

    private void Move(BreakerState to, Exception? reason)
    {
        var from = _state;
        _state = to;
        transitioned(from, to, reason);
    }
}
