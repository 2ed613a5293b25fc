using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine;
using Strata.Models;

namespace Strata.Simulation.Profiling;

/// <summary>
/// The engine for a model built exactly as <c>strata serve</c> builds it (KV memory, the step budget measured at
/// start-up), driven synchronously on the wall clock: what the profiler measures and a validation compares against.
/// </summary>
internal sealed class RealEngine : IDisposable
{
    private readonly EngineParts _parts;

    public RealEngine(LoadedModel model, EngineOptions options)
    {
        _parts = EngineBuilder.Build(model, options, TimeProvider.System, static () => { }, NullLoggerFactory.Instance, null);
        Settings = new NodeSettings(_parts.BlockCount, _parts.MaxBatchedTokens, options.MaxSequences, _parts.MaxModelLength, options.PrefixCaching);
    }

    /// <summary>The settings a simulated node needs to run as this engine does.</summary>
    public NodeSettings Settings { get; }

    /// <summary>Admits the requests at once (their arrival times are ignored) and steps until all have finished.</summary>
    public (List<RequestOutcome> Outcomes, List<StepSample> Steps) Run(IReadOnlyList<SimRequest> requests) =>
        MeasuredRun.Run(_parts.Core, requests, TimeProvider.System);

    public void Dispose() => _parts.Dispose();
}
