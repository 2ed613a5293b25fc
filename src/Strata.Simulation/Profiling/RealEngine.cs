using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine;
using Strata.Engine.Core;
using Strata.KvCache.Prefix;
using Strata.Models;

namespace Strata.Simulation.Profiling;

/// <summary>
/// The engine for a model built exactly as <c>strata serve</c> builds it (KV memory, the step budget measured at
/// start-up), driven synchronously on the wall clock: what the profiler measures and a validation compares against.
/// </summary>
internal sealed class RealEngine : IDisposable
{
    private readonly EngineParts _parts;

    /// <param name="kvEvents">Where the engine's KV events go (blocks stored and removed), as a router reads a node's; null for none.</param>
    public RealEngine(LoadedModel model, EngineOptions options, Action<KvEvent>? kvEvents = null)
    {
        _parts = EngineBuilder.Build(model, options, TimeProvider.System, static () => { }, NullLoggerFactory.Instance, kvEvents);
        Settings = new NodeSettings(_parts.BlockCount, _parts.MaxBatchedTokens, options.MaxSequences, _parts.MaxModelLength, options.PrefixCaching);
    }

    /// <summary>The settings a simulated node needs to run as this engine does.</summary>
    public NodeSettings Settings { get; }

    /// <summary>How the engine keys its blocks, as a router derives a prompt's keys to match them.</summary>
    public CacheIdentity Identity => _parts.Identity;

    public EngineCore Core => _parts.Core;

    /// <summary>Admits the requests at once (their arrival times are ignored) and steps until all have finished.</summary>
    public (List<RequestOutcome> Outcomes, List<StepSample> Steps) Run(IReadOnlyList<SimRequest> requests) =>
        MeasuredRun.Run(_parts.Core, requests, TimeProvider.System);

    public void Dispose() => _parts.Dispose();
}
