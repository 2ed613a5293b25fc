using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.Engine;
using Strata.Server.Hosting;

namespace Strata.Server.Metrics;

/// <summary>
/// <c>strata_kv_integrity_ok</c>: whether every KV block's references match the sequences and pins holding it, checked
/// by each scrape of <c>/metrics</c> before the exporter collects (the check waits for the engine's step, which no
/// collection callback may do).
/// </summary>
internal sealed class KvIntegrityMetrics
{
    // The check waits for the engine's current step; an engine stuck longer than this reports no integrity at all.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly InferenceEngine _engine;
    private volatile int _ok = Unknown;
    private const int Unknown = -1;

    public KvIntegrityMetrics(IMeterFactory meters, InferenceEngine engine)
    {
        _engine = engine;
        meters.Create(ServerMetrics.MeterName).CreateObservableGauge("strata_kv_integrity_ok", Observe,
            description: "1 if every KV block's references match the sequences and pins holding it, checked at this scrape.");
    }

    /// <summary>The scrape's pipeline: check first (once the engine is there), then let the exporter collect.</summary>
    public static void CheckOnScrape(IApplicationBuilder scrape) => scrape.Use(async (context, next) =>
    {
        if (context.RequestServices.GetRequiredService<ServingState>().Engine is not null)
            await context.RequestServices.GetRequiredService<KvIntegrityMetrics>().CheckAsync();
        await next(context);
    });

    private async Task CheckAsync()
    {
        try
        {
            await _engine.CheckIntegrityAsync().WaitAsync(Patience);
            _ok = 1;
        }
        catch (TimeoutException)
        {
            _ok = Unknown;
        }
        catch (InvalidOperationException)
        {
            _ok = 0;
        }
    }

    private IEnumerable<Measurement<int>> Observe() => _ok == Unknown ? [] : [new Measurement<int>(_ok)];
}
