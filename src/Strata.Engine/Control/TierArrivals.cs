using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// The requests each tier has been admitted lately — how many per second, and how big on average — so that a
/// prediction for a lower tier can count the higher-tier requests that will arrive while it waits and go ahead of it.
/// Thread-safe: submissions come from any thread.
/// </summary>
internal sealed class TierArrivals(TimeProvider clock, TimeSpan window)
{
    private readonly Queue<(long At, int PromptTokens, int MaxTokens)>[] _recent = Tiers.All.Select(_ => new Queue<(long, int, int)>()).ToArray();
    private readonly long _windowTicks = (long)(window.TotalSeconds * clock.TimestampFrequency);
    private readonly long _started = clock.GetTimestamp();

    public void Admitted(ServiceTier tier, int promptTokens, int maxTokens)
    {
        var recent = _recent[(int)tier];
        lock (recent)
            recent.Enqueue((clock.GetTimestamp(), promptTokens, maxTokens));
    }

    /// <summary>Each tier's arrivals per second over the window (or since start, if younger) and their mean size.</summary>
    public ArrivalRate[] Rates()
    {
        var now = clock.GetTimestamp();
        var span = Math.Max(1, Math.Min(_windowTicks, now - _started));
        var seconds = (double)span / clock.TimestampFrequency;
        var rates = new ArrivalRate[Tiers.Count];
        foreach (var tier in Tiers.All)
        {
            var recent = _recent[(int)tier];
            lock (recent)
            {
                while (recent.Count > 0 && now - recent.Peek().At > span)
                    recent.Dequeue();
                if (recent.Count == 0)
                    continue;
                long prompt = 0, output = 0;
                foreach (var (_, p, m) in recent)
                {
                    prompt += p;
                    output += m;
                }
                rates[(int)tier] = new ArrivalRate(recent.Count / seconds, (int)(prompt / recent.Count), (int)(output / recent.Count));
            }
        }
        return rates;
    }
}
