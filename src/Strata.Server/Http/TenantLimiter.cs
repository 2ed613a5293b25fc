using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>
/// A tenant's limits as they are spent: requests running at once, and a token bucket refilled continuously at the
/// tokens-per-minute rate (holding at most a minute's worth). A request is charged its prompt plus its completion limit
/// up front, as OpenAI estimates it; one larger than a minute's worth waits for a full bucket. Thread-safe.
/// </summary>
internal sealed class TenantLimiter(TenantSettings settings, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private int _running;
    private double _tokens = settings.TokensPerMinute;
    private long _refilled = clock.GetTimestamp();

    public TenantSettings Settings => settings;

    /// <summary>Takes a slot and <paramref name="tokens"/> from the bucket, or throws a 429 <c>rate_limit_exceeded</c> saying when to retry.</summary>
    public IDisposable Acquire(long tokens)
    {
        lock (_lock)
        {
            if (settings.MaxConcurrent > 0 && _running >= settings.MaxConcurrent)
            {
                throw Limited($"Rate limit reached for {settings.Name}: {settings.MaxConcurrent} concurrent requests. Retry when one has finished.",
                    TimeSpan.FromSeconds(1));
            }
            if (settings.TokensPerMinute > 0)
            {
                Refill();
                var charge = Math.Min(tokens, settings.TokensPerMinute);
                if (_tokens < charge)
                {
                    var wait = TimeSpan.FromSeconds((charge - _tokens) * 60.0 / settings.TokensPerMinute);
                    throw Limited($"Rate limit reached for {settings.Name}: {settings.TokensPerMinute} tokens per minute; this request needs {charge} (prompt and max_tokens), {(long)_tokens} are left. Retry in {Math.Ceiling(wait.TotalSeconds):0} s.",
                        wait);
                }
                _tokens -= charge;
            }
            _running++;
            return new Lease(this);
        }
    }

    private void Refill()
    {
        var now = clock.GetTimestamp();
        _tokens = Math.Min(settings.TokensPerMinute, _tokens + clock.GetElapsedTime(_refilled, now).TotalMinutes * settings.TokensPerMinute);
        _refilled = now;
    }

    private void Release()
    {
        lock (_lock)
            _running--;
    }

    private static ApiException Limited(string message, TimeSpan retryAfter) =>
        new(new ApiError(429, message, ApiError.RateLimit, null, "rate_limit_exceeded", retryAfter));

    private sealed class Lease(TenantLimiter limiter) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                limiter.Release();
        }
    }
}
