using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// The control plane's settings: how sequences are ordered, each tier's latency targets, and when a request is
/// refused at once because it would miss its tier's time to first token.
/// </summary>
public sealed record ServiceLevels
{
    /// <summary>Serve by tier (with aging and tenant round-robin), or first come, first served.</summary>
    public bool TierScheduling { get; init; } = true;

    /// <summary>A waiting request rises one tier for every this long it has waited, so lower tiers never starve.</summary>
    public TimeSpan AgingStep { get; init; } = TimeSpan.FromSeconds(30);

    public SloTarget Priority { get; init; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));

    public SloTarget Default { get; init; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));

    public SloTarget Flex { get; init; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));

    /// <summary>
    /// Refuse a request at once when its predicted time to first token exceeds its tier's target by more than
    /// <see cref="RejectionMargin"/>. Off unless asked for: a server without it queues every request, as before.
    /// </summary>
    public bool EarlyRejection { get; init; }

    /// <summary>How far past the target (a fraction of it) a prediction may go before the request is refused: 0.5 refuses at 1.5× the target.</summary>
    public double RejectionMargin { get; init; } = 0.5;

    public SloTarget For(ServiceTier tier) => tier switch
    {
        ServiceTier.Priority => Priority,
        ServiceTier.Default => Default,
        _ => Flex,
    };

    public ServiceLevels With(ServiceTier tier, SloTarget target) => tier switch
    {
        ServiceTier.Priority => this with { Priority = target },
        ServiceTier.Default => this with { Default = target },
        _ => this with { Flex = target },
    };
}
