using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Engine.Guard;
using Strata.Models;

namespace Strata.Cli;

/// <summary>
/// What <c>strata serve</c> serves: the model, its content guard and the engine over them, loaded off the main thread
/// so that the server answers its probes meanwhile. Disposed after the server: the engine first, the model last.
/// </summary>
internal sealed class ServedModel(LoadedModel model, ContentGuard? guard, InferenceEngine engine) : IDisposable
{
    public InferenceEngine Engine { get; } = engine;

    /// <param name="kvCacheBytes">The KV pool's size, or null to size it from the model (<see cref="EngineSizing.DefaultKvCacheBytes"/>).</param>
    /// <param name="kvEvents">Receives the engine's KV events (a cluster node streams them to routers).</param>
    public static ServedModel Load(string path, string? guardPath, EngineOptions options, long? kvCacheBytes, ILoggerFactory loggers, Action<KvEvent> kvEvents)
    {
        loggers.CreateLogger("Strata.Cli.Serve").LogInformation("Loading {Model}", path);
        var model = LoadedModel.Load(path);
        ContentGuard? guard = null;
        try
        {
            guard = guardPath is null ? null : LoadGuard(guardPath, model);
            options = options with { Guard = guard, KvCacheBytes = kvCacheBytes ?? EngineSizing.DefaultKvCacheBytes(model, options) };
            return new ServedModel(model, guard, InferenceEngine.Start(model, options, loggers, kvEvents));
        }
        catch
        {
            guard?.Dispose();
            model.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Engine.Dispose();
        guard?.Dispose();
        model.Dispose();
    }

    private static ContentGuard LoadGuard(string path, LoadedModel model)
    {
        try
        {
            return ContentGuard.Load(path, model.Tokenizer);
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            throw new ArgumentException($"--guard {path}: {ex.Message}", ex);
        }
    }
}
