using Microsoft.Extensions.DependencyInjection;
using Strata.Engine;

namespace Strata.Server.Hosting;

/// <summary>
/// Whether the server takes API requests: not before its engine has loaded (<see cref="Engine"/> is null until then),
/// not once it drains; and how many are running (what a drain waits for).
/// </summary>
internal sealed class ServingState
{
    private int _running;
    private volatile bool _draining;
    private volatile InferenceEngine? _engine;

    /// <summary>The engine, once the model has loaded.</summary>
    public InferenceEngine? Engine => _engine;

    public InferenceEngine LoadedEngine => _engine ?? throw new InvalidOperationException("the engine has not loaded yet");

    /// <summary>The largest request body taken, once the model has loaded (its context bounds the default).</summary>
    public long MaxRequestBytes { get; private set; }

    public bool Draining => _draining;

    public int RunningRequests => Volatile.Read(ref _running);

    public void Loaded(InferenceEngine engine, long maxRequestBytes)
    {
        MaxRequestBytes = maxRequestBytes;
        _engine = engine;
    }

    public void BeginDrain() => _draining = true;

    public void Enter() => Interlocked.Increment(ref _running);

    public void Leave() => Interlocked.Decrement(ref _running);

    /// <summary>Makes a <typeparamref name="T"/> that takes the loaded engine (and services) in its constructor.</summary>
    public static T WithEngine<T>(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance<T>(services, services.GetRequiredService<ServingState>().LoadedEngine);
}
