using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// Early rejection: at submission, before any compute, a request whose predicted time to first token misses its
/// tier's target by more than the margin is refused, with a hint of when to retry. Because only the same and higher
/// tiers are ahead of a request, the lower tiers see the longer queue and are shed first. A request the load is not to
/// blame for (one that would miss its target on an idle engine) is never refused.
/// </summary>
internal sealed class AdmissionControl(ServiceLevels levels, ServiceTimePredictor predictor, StepCostModel costs, TimeProvider? clock = null)
{
    /// <summary>How far ahead a prediction plays when nothing is refused (for the predicted-TTFT metric only).</summary>
    private static readonly TimeSpan MetricHorizon = TimeSpan.FromMinutes(10);

    /// <summary>How far back the arrival rates look: long enough to smooth Poisson bursts, short enough to follow the load.</summary>
    private static readonly TimeSpan ArrivalWindow = TimeSpan.FromSeconds(60);

    private readonly TierArrivals _arrivals = new(clock ?? TimeProvider.System, ArrivalWindow);

    public ServiceLevels Levels => levels;

    public StepCostModel Costs => costs;

    /// <summary>The prediction for a request, or a refusal with the seconds to wait before retrying.</summary>
    /// <param name="tenant">Whose request it is: in its tier it takes turns with the other tenants' queued requests.</param>
    public (ServiceTimePrediction Prediction, TimeSpan? RetryAfter) Decide(QueueSnapshot queue, IEnumerable<SequenceLoad> submitted, ServiceTier tier,
        int uncachedPromptTokens, int maxTokens, string tenant = "")
    {
        var target = levels.For(tier).TimeToFirstToken;
        var limit = target * (1 + levels.RejectionMargin);
        var cost = costs.Current;
        var prediction = predictor.Predict(queue, submitted, cost, tier, uncachedPromptTokens, maxTokens, levels.EarlyRejection ? limit : MetricHorizon, _arrivals.Rates(), tenant);
        if (!levels.EarlyRejection || prediction.TimeToFirstToken <= limit)
            return Admit(prediction);
        var alone = predictor.Predict(QueueSnapshot.Empty, [], cost, tier, uncachedPromptTokens, maxTokens, limit);
        if (alone.TimeToFirstToken > limit)
            return Admit(prediction);
        var wait = Math.Max(1, Math.Ceiling((prediction.TimeToFirstToken - target).TotalSeconds));
        return (prediction, TimeSpan.FromSeconds(wait));

        (ServiceTimePrediction, TimeSpan?) Admit(ServiceTimePrediction admitted)
        {
            _arrivals.Admitted(tier, uncachedPromptTokens, maxTokens);
            return (admitted, null);
        }
    }
}
