using Microsoft.Extensions.DependencyInjection;
using Strata.Engine;

namespace Strata.Server.Hosting;

/// <summary>
/// Whether the server takes API requests: not before its engine has loaded (<see cref="Engine"/> is null until then),
/// not once it drains; and how many are running (what a drain waits for).
/// </summary>
internal sealed class ServingState : IDisposable
{
    private readonly CancellationTokenSource _drain = new();
    private int _running;
    private volatile InferenceEngine? _engine;

    /// <summary>The engine, once the model has loaded.</summary>
    public InferenceEngine? Engine => _engine;

    public InferenceEngine LoadedEngine => _engine ?? throw new InvalidOperationException("the engine has not loaded yet");

    /// <summary>The largest request body taken, once the model has loaded (its context bounds the default).</summary>
    public long MaxRequestBytes { get; private set; }

    public bool Draining => _drain.IsCancellationRequested;

    /// <summary>Cancelled when the server begins to drain: what long-lived streams (a router's KV events) end on.</summary>
    public CancellationToken DrainStarted => _drain.Token;

    public int RunningRequests => Volatile.Read(ref _running);

    public void Loaded(InferenceEngine engine, long maxRequestBytes)
    {
        MaxRequestBytes = maxRequestBytes;
        _engine = engine;
    }

    public void BeginDrain() => _drain.Cancel();

    public void Enter() => Interlocked.Increment(ref _running);

    public void Leave() => Interlocked.Decrement(ref _running);

    public void Dispose() => _drain.Dispose();

    /// <summary>Makes a <typeparamref name="T"/> that takes the loaded engine (and services) in its constructor.</summary>
    public static T WithEngine<T>(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance<T>(services, services.GetRequiredService<ServingState>().LoadedEngine);
}
