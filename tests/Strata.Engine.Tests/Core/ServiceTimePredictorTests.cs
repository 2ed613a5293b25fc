using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Engine.Tests.Core;

/// <summary>The step cost fit, the service-time prediction on the model-free core, and the rejection decisions made from it.</summary>
public sealed class ServiceTimePredictorTests
{
    [Fact]
    public void Observe_SyntheticCostLaw_FitConvergesFromAWrongCalibration()
    {
        var truth = new StepCost(0.004, 0.0008, 0.0015, 0.000002);
        var model = new StepCostModel(new StepCost(0.02, 0.01, 0.01, 0));
        var rng = new Random(3);
        for (var i = 0; i < 400; i++)
        {
            var prefill = rng.Next(0, 3) == 0 ? 0 : rng.Next(1, 256);
            var decodes = rng.Next(0, 32);
            var context = decodes * rng.Next(50, 1500) + prefill * rng.Next(1, 4);
            var noise = 1 + 0.02 * (rng.NextDouble() - 0.5);
            model.Observe(prefill, decodes, context, truth.Seconds(prefill, decodes, context) * noise);
        }

        var fit = model.Current;
        Assert.Equal(truth.Fixed, fit.Fixed, 0.0005);
        Assert.Equal(truth.PerPrefillToken, fit.PerPrefillToken, truth.PerPrefillToken * 0.05);
        Assert.Equal(truth.PerDecode, fit.PerDecode, truth.PerDecode * 0.1);
        Assert.Equal(truth.PerContextToken, fit.PerContextToken, truth.PerContextToken * 0.1);
    }

    [Fact]
    public void Observe_StepsVerifyingDrafts_FitsTheDraftTermApartFromThePromptTerm()
    {
        // A verification row costs six times a prompt token; steps mix prompt chunks, decodes and up to 5 drafts each.
        var truth = new StepCost(0.002, 0.00005, 0.0004, 0.000001, 0.0003);
        var model = new StepCostModel(new StepCost(0.002, 0.00005, 0.00005, 0));
        var rng = new Random(5);
        for (var i = 0; i < 400; i++)
        {
            var prefill = rng.Next(0, 2) == 0 ? 0 : rng.Next(1, 256);
            var decodes = rng.Next(0, 8);
            var drafts = decodes * rng.Next(0, 6);
            var context = decodes * rng.Next(50, 1500) + prefill;
            var noise = 1 + 0.02 * (rng.NextDouble() - 0.5);
            model.Observe(prefill, decodes, context, truth.Seconds(prefill, decodes, context, drafts) * noise, drafts);
        }

        var fit = model.Current;
        Assert.Equal(truth.PerDraftToken, fit.PerDraftToken, truth.PerDraftToken * 0.1);
        Assert.Equal(truth.PerPrefillToken, fit.PerPrefillToken, truth.PerPrefillToken * 0.1);
    }

    [Fact]
    public void Observe_NoDraftsSeen_DraftTermKeepsItsCalibration()
    {
        var model = new StepCostModel(new StepCost(0.002, 0.00005, 0.0004, 0.000001, 0.0002));
        for (var i = 0; i < 400; i++)
            model.Observe(i % 3 == 0 ? 100 : 0, 4, 2000, 0.004);

        Assert.Equal(0.0002, model.Current.PerDraftToken, 0.00001);
    }

    [Fact]
    public void Observe_AVerificationStallsLikeAGcPause_DraftTermKeepsItsPrice()
    {
        // Batch-1 steps of 1 ms plus 0.3 ms a draft; one verification in twenty stalls 30 ms (a collection, a tier-1 JIT
        // compilation). The law is read before every step, as the speculator reads it.
        var truth = new StepCost(0.001, 0.00005, 0.0002, 0, 0.0003);
        var model = new StepCostModel(new StepCost(0.001, 0.00005, 0.0002, 0));
        for (var i = 0; i < 400; i++)
        {
            _ = model.Current;
            var drafts = i % 2 == 0 ? 0 : 1 + i % 5;
            var stall = drafts > 0 && i % 40 == 1 ? 0.03 : 0;
            model.Observe(0, 1, 100, truth.Seconds(0, 1, 100, drafts) + stall, drafts);
        }

        Assert.Equal(truth.PerDraftToken, model.Current.PerDraftToken, truth.PerDraftToken * 0.25);
    }

    [Fact]
    public void Observe_FitWantsANegativeTerm_TheOthersAreSolvedAgainWithoutIt()
    {
        // Steps of 10 to 60 prompt tokens whose cost falls short of proportional (a negative intercept): the fixed term
        // must end at zero with the per-token term refitted through the origin, not kept at the slope the negative
        // intercept allowed, which would price every step 0.2 ms too high.
        var model = new StepCostModel(new StepCost(0.0002, 0.0001, 0.0001, 0));
        for (var i = 0; i < 400; i++)
        {
            var prefill = 10 + i % 51;
            model.Observe(prefill, 0, prefill, 0.00004 * prefill - 0.0002);
        }

        var fit = model.Current;
        Assert.Equal(0, fit.Fixed);
        Assert.Equal(0.00004 * 35 - 0.0002, fit.Seconds(35, 0, 35), 0.00005);
    }

    [Fact]
    public void Predict_RequestsArrivingUnderLoad_TimeToFirstTokenWithinTenPercentAtTheMedian()
    {
        var harness = new CoreHarness(CoreHarness.Options(blockSize: 16, maxSequences: 8), blocks: 512, budget: 64);
        var costs = new StepCostModel(new StepCost(0.0002, 0.0001, 0.0001, 0));
        var predictor = new ServiceTimePredictor(64, 8, byTier: true);
        var rng = new Random(11);
        var pending = new List<(GenerationHandle Handle, long Submitted, double Predicted)>();
        var errors = new List<double>();
        for (var step = 0; step < 600; step++)
        {
            if (rng.Next(4) == 0)
            {
                var tier = (ServiceTier)rng.Next(3);
                var prompt = CoreHarness.Prompt(step, rng.Next(8, 120));
                var maxTokens = rng.Next(4, 24);
                var prediction = predictor.Predict(harness.Core.Queue(), [], costs.Current, tier, prompt.Length, maxTokens, TimeSpan.FromMinutes(1));
                var handle = harness.Submit(CoreHarness.Greedy(prompt, maxTokens) with { Tier = tier });
                pending.Add((handle, harness.Clock.GetTimestamp(), prediction.TimeToFirstToken.TotalSeconds));
            }
            if (harness.Step() is { } record)
                costs.Observe(record);
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (!pending[i].Handle.Events.TryPeek(out _))
                    continue;
                var measured = TimeSpan.FromTicks(harness.Clock.GetTimestamp() - pending[i].Submitted).TotalSeconds;
                if (step > 100) // past the fit's warm-up
                    errors.Add(Math.Abs(pending[i].Predicted - measured) / measured);
                pending.RemoveAt(i);
            }
        }

        errors.Sort();
        Assert.True(errors.Count > 50, $"only {errors.Count} requests measured");
        Assert.True(errors[errors.Count / 2] < 0.10, $"median relative error {errors[errors.Count / 2]:P1}");
    }

    [Fact]
    public void Decide_PriorityRequestsKeepArriving_LowerTierPredictionCountsThoseThatWillGoAhead()
    {
        var harness = new CoreHarness(CoreHarness.Options(blockSize: 16, maxSequences: 4), blocks: 1024, budget: 32);
        var costs = new StepCostModel(new StepCost(0.002, 0.00005, 0.0004, 0));
        var admission = new AdmissionControl(new ServiceLevels(), new ServiceTimePredictor(32, 4, byTier: true), costs, harness.Clock);
        var blind = new ServiceTimePredictor(32, 4, byTier: true);
        var rng = new Random(5);
        var pending = new List<(GenerationHandle Handle, long Submitted, double Predicted, double Blind)>();
        List<double> errors = [], blindErrors = [];
        for (var step = 0; step < 4000; step++)
        {
            // Each tier alone needs about half the four slots (a request holds one for 17 steps); together they overload them.
            var tier = rng.Next(8) switch { 0 => ServiceTier.Priority, 1 => ServiceTier.Flex, _ => (ServiceTier?)null };
            if (tier is { } t && (t == ServiceTier.Priority || harness.Core.Scheduler.WaitingCount < 12))
            {
                var prompt = CoreHarness.Prompt(step, 24);
                var queue = harness.Core.Queue();
                var blindPrediction = blind.Predict(queue, [], costs.Current, t, prompt.Length, 16, TimeSpan.FromMinutes(1));
                var (prediction, _) = admission.Decide(queue, [], t, prompt.Length, 16);
                var handle = harness.Submit(CoreHarness.Greedy(prompt, 16) with { Tier = t });
                if (t == ServiceTier.Flex)
                    pending.Add((handle, harness.Clock.GetTimestamp(), prediction.TimeToFirstToken.TotalSeconds, blindPrediction.TimeToFirstToken.TotalSeconds));
            }
            if (harness.Step() is { } record)
                costs.Observe(record);
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (!pending[i].Handle.Events.TryPeek(out _))
                    continue;
                var measured = TimeSpan.FromTicks(harness.Clock.GetTimestamp() - pending[i].Submitted).TotalSeconds;
                if (step > 200)
                {
                    errors.Add(Math.Abs(pending[i].Predicted - measured) / measured);
                    blindErrors.Add(Math.Abs(pending[i].Blind - measured) / measured);
                }
                pending.RemoveAt(i);
            }
        }

        errors.Sort();
        blindErrors.Sort();
        Assert.True(errors.Count > 100, $"only {errors.Count} flex requests measured");
        var median = errors[errors.Count / 2];
        var blindMedian = blindErrors[blindErrors.Count / 2];
        // Poisson-like arrivals leave some error either way; counting them removes the bias.
        Assert.True(median < 0.25 && median < 0.8 * blindMedian, $"median relative error {median:P1}, {blindMedian:P1} without the arrivals");
    }

    [Fact]
    public void CachedTokens_PromptOfABlockInThePool_ExpectedHitMatchesWhatAdmissionAttaches()
    {
        ResidentBlocks? resident = null;
        var harness = new CoreHarness(CoreHarness.Options(), blocks: 6, budget: 64, kvEvents: e => resident!.Observe(e));
        resident = new ResidentBlocks(harness.Identity);
        var prompt = CoreHarness.Prompt(5, 10);
        harness.Submit(CoreHarness.Greedy(prompt, 3));
        harness.RunUntilIdle();

        Assert.Equal(8, resident.CachedTokens("", "", prompt));
        Assert.Equal(0, resident.CachedTokens("other tenant", "", prompt));
        Assert.Equal(4, resident.CachedTokens("", "", [.. prompt[..4], 7, 7, 7, 7, 7]));

        harness.Submit(CoreHarness.Greedy(CoreHarness.Prompt(6, 22), 1)); // needs all six blocks: the first prompt's are evicted
        harness.RunUntilIdle();
        Assert.Equal(0, resident.CachedTokens("", "", prompt));
    }

    [Fact]
    public void Decide_SameBacklog_FlexRefusedFirstWhilePriorityIsAdmitted()
    {
        var levels = new ServiceLevels
        {
            EarlyRejection = true,
            Priority = new SloTarget(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
            Flex = new SloTarget(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)),
        };
        var admission = new AdmissionControl(levels, new ServiceTimePredictor(64, 8, byTier: true), new StepCostModel(new StepCost(0.01, 0.001, 0.001, 0)));
        // Ten flex prompts of 640 tokens wait: 100 steps of 74 ms, far beyond a second.
        var backlog = Enumerable.Repeat(new SequenceLoad(ServiceTier.Flex, 640, 16, 640, Decoding: false), 10).ToList();
        var queue = new QueueSnapshot([], backlog);

        var flex = admission.Decide(queue, [], ServiceTier.Flex, 64, 16);
        var gold = admission.Decide(queue, [], ServiceTier.Priority, 64, 16);
        var idle = admission.Decide(QueueSnapshot.Empty, [], ServiceTier.Flex, 64, 16);

        Assert.NotNull(flex.RetryAfter);
        Assert.True(flex.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.True(flex.Prediction.TimeToFirstToken > TimeSpan.FromSeconds(1.5));
        Assert.Null(gold.RetryAfter);
        Assert.InRange(gold.Prediction.TimeToFirstToken.TotalSeconds, 0.07, 0.08); // one step: its own 64 tokens
        Assert.Null(idle.RetryAfter);
    }

    [Fact]
    public void Decide_NoisyTenantFloodsItsTier_QuietTenantPredictedAtItsTurnAndAdmitted()
    {
        var levels = new ServiceLevels { EarlyRejection = true, Default = new SloTarget(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) };
        var admission = new AdmissionControl(levels, new ServiceTimePredictor(64, 8, byTier: true), new StepCostModel(new StepCost(0.01, 0.001, 0.001, 0)));
        // Thirty of the noisy tenant's 64-token prompts wait: 30 steps of 74 ms before a newcomer at the back.
        var queue = new QueueSnapshot([], Enumerable.Repeat(new SequenceLoad(ServiceTier.Default, 64, 4, 64, Decoding: false, "noisy"), 30).ToList());

        var noisy = admission.Decide(queue, [], ServiceTier.Default, 64, 4, "noisy");
        var quiet = admission.Decide(queue, [], ServiceTier.Default, 64, 4, "quiet");

        Assert.NotNull(noisy.RetryAfter);
        Assert.Null(quiet.RetryAfter);
        Assert.InRange(quiet.Prediction.TimeToFirstToken.TotalSeconds, 0.14, 0.16); // the noisy tenant's next turn, then its own
    }

    [Fact]
    public void Decide_RequestTooBigEvenAlone_AdmittedRatherThanBlamedOnTheLoad()
    {
        var levels = new ServiceLevels { EarlyRejection = true, Flex = new SloTarget(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1)) };
        var admission = new AdmissionControl(levels, new ServiceTimePredictor(64, 8, byTier: true), new StepCostModel(new StepCost(0.01, 0.001, 0.001, 0)));
        var busy = new QueueSnapshot([], [new SequenceLoad(ServiceTier.Default, 4000, 16, 4000, Decoding: false)]);

        var (prediction, retryAfter) = admission.Decide(busy, [], ServiceTier.Flex, 500, 16);

        Assert.Null(retryAfter);
        Assert.True(prediction.BeyondHorizon);
    }

    [Fact]
    public void Decide_EarlyRejectionOff_NeverRefuses()
    {
        var levels = new ServiceLevels { EarlyRejection = false, Flex = new SloTarget(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1)) };
        var admission = new AdmissionControl(levels, new ServiceTimePredictor(64, 8, byTier: true), new StepCostModel(new StepCost(0.01, 0.001, 0.001, 0)));
        var backlog = new QueueSnapshot([], Enumerable.Repeat(new SequenceLoad(ServiceTier.Flex, 640, 16, 640, Decoding: false), 10).ToList());

        Assert.Null(admission.Decide(backlog, [], ServiceTier.Flex, 64, 16).RetryAfter);
    }
}
