using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// Early rejection: at submission, before any compute, a request whose predicted time to first token misses its
/// tier's target by more than the margin is refused, with a hint of when to retry. Because only the same and higher
/// tiers are ahead of a request, the lower tiers see the longer queue and are shed first. A request the load is not to
/// blame for (one that would miss its target on an idle engine) is never refused.
/// </summary>
internal sealed class AdmissionControl(ServiceLevels levels, ServiceTimePredictor predictor, StepCostModel costs)
{
    /// <summary>How far ahead a prediction plays when nothing is refused (for the predicted-TTFT metric only).</summary>
    private static readonly TimeSpan MetricHorizon = TimeSpan.FromMinutes(10);

    public ServiceLevels Levels => levels;

    public StepCostModel Costs => costs;

    /// <summary>The prediction for a request, or a refusal with the seconds to wait before retrying.</summary>
    public (ServiceTimePrediction Prediction, TimeSpan? RetryAfter) Decide(QueueSnapshot queue, IEnumerable<SequenceLoad> submitted, ServiceTier tier,
        int uncachedPromptTokens, int maxTokens)
    {
        var target = levels.For(tier).TimeToFirstToken;
        var limit = target * (1 + levels.RejectionMargin);
        var cost = costs.Current;
        var prediction = predictor.Predict(queue, submitted, cost, tier, uncachedPromptTokens, maxTokens, levels.EarlyRejection ? limit : MetricHorizon);
        if (!levels.EarlyRejection || prediction.TimeToFirstToken <= limit)
            return (prediction, null);
        var alone = predictor.Predict(QueueSnapshot.Empty, [], cost, tier, uncachedPromptTokens, maxTokens, limit);
        if (alone.TimeToFirstToken > limit)
            return (prediction, null);
        var wait = Math.Max(1, Math.Ceiling((prediction.TimeToFirstToken - target).TotalSeconds));
        return (prediction, TimeSpan.FromSeconds(wait));
    }
}
