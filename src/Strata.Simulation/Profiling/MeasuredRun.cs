using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;

namespace Strata.Simulation.Profiling;

/// <summary>
/// Runs requests through a real engine core (the model runner behind it) as the server's engine thread would: all
/// admitted at once, stepped until done, each request's tokens stamped with the time its step ended on
/// <paramref name="clock"/>. Gives the measured side of a validation and the steps a cost law is fitted on.
/// </summary>
/// <remarks>
/// Every request arrives at the run's start, as in the simulation it is compared with: admitting them one after
/// another takes time, which is then outside-steps time of every request rather than a head start for the later ones
/// (timed from its own admission, a later request's latency would lack the admissions before it).
/// </remarks>
internal static class MeasuredRun
{
    public static (List<RequestOutcome> Outcomes, List<StepSample> Steps) Run(EngineCore core, IReadOnlyList<SimRequest> requests, TimeProvider clock)
    {
        var steps = new List<StepSample>();
        var outcomes = Run(core, 0, [.. requests.Select((r, i) => (r with { ArrivalSeconds = 0 }, i))], clock, clock.GetTimestamp(), steps);
        return (outcomes, steps);
    }

    /// <summary>
    /// Admits <paramref name="requests"/> (numbered in their workload), which all arrived at their
    /// <see cref="SimRequest.ArrivalSeconds"/> since <paramref name="start"/> (a timestamp of <paramref name="clock"/>),
    /// and steps <paramref name="core"/> until they have finished; its steps are added to <paramref name="steps"/>.
    /// </summary>
    /// <param name="node">The node the outcomes are credited to.</param>
    public static List<RequestOutcome> Run(EngineCore core, int node, IReadOnlyList<(SimRequest Request, int Number)> requests, TimeProvider clock, long start,
        List<StepSample> steps)
    {
        long Now() => clock.GetElapsedTime(start).Ticks;
        var flights = new List<Flight>();
        foreach (var (request, number) in requests)
        {
            var generation = new GenerationRequest
            {
                PromptTokens = request.Prompt,
                Sampling = new SamplingParams { Temperature = 0, MaxTokens = request.MaxTokens, IgnoreEos = true },
            };
            var state = new RequestState($"measured-{node}-{number}", clock.GetTimestamp(), generation, 0, default);
            var handle = state.CreateHandle();
            core.Admit(state);
            flights.Add(new Flight(request, number, handle, VirtualClock.ToTicks(request.ArrivalSeconds)));
        }
        var outcomes = new List<RequestOutcome>();
        while (core.HasWork)
        {
            if (core.Step() is not { } record)
                continue;
            steps.Add(new StepSample(record.PrefillTokens, record.DecodeSequences, record.ContextTokens, record.PrefillAttention, record.Seconds));
            var now = Now();
            for (var i = flights.Count - 1; i >= 0; i--)
            {
                if (!flights[i].Drain(now, out _))
                    continue;
                outcomes.Add(flights[i].Outcome(node));
                flights.RemoveAt(i);
            }
        }
        return outcomes;
    }
}
