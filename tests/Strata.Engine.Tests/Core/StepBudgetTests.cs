using Strata.Engine.Running;

namespace Strata.Engine.Tests.Core;

/// <summary>The step budget and the predictor's start-up calibration: the model is timed only when the budget is not given.</summary>
public sealed class StepBudgetTests
{
    [Fact]
    public void Choose_BudgetGiven_NothingTimedAndTheLawIsLearntFromSteps()
    {
        var timed = 0;

        var (budget, calibration) = StepBudget.Choose(new EngineOptions { MaxBatchedTokens = 256 }, () =>
        {
            timed++;
            return (0.05, 0.001);
        });

        Assert.Equal(256, budget);
        Assert.Equal(0, timed);
        Assert.Equal(0, calibration.Seconds(64, 8, 1000));
    }

    [Fact]
    public void Choose_NoBudget_OneMeasurementGivesTheBudgetAndTheCalibration()
    {
        var options = new EngineOptions();
        var timed = 0;

        var (budget, calibration) = StepBudget.Choose(options, () =>
        {
            timed++;
            return (0.05, 0.001);
        });

        Assert.Equal(1, timed);
        Assert.Equal(StepBudget.For(0.001, options), budget);
        Assert.Equal(0.05 + 0.064, calibration.Seconds(64, 0, 0), 1e-9);
    }
}
