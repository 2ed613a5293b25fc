using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Strata.Server.Hosting;

/// <summary>
/// Carries what the engine reports through <see cref="Trace"/> (a failed step, a remote store going down or coming
/// back) into the server's log, under the category <c>Strata.Engine</c>, until the engine logs through ILogger itself.
/// </summary>
internal sealed class EngineTraceLog(ILogger logger) : TraceListener
{
    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? message) =>
        logger.Log(Level(eventType), new EventId(id), "{Message}", message);

    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? format, params object?[]? args) =>
        TraceEvent(eventCache, source, eventType, id, args is null ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format ?? "", args));

    public override void Write(string? message) => logger.LogDebug("{Message}", message);

    public override void WriteLine(string? message) => logger.LogDebug("{Message}", message);

    private static LogLevel Level(TraceEventType type) => type switch
    {
        TraceEventType.Critical => LogLevel.Critical,
        TraceEventType.Error => LogLevel.Error,
        TraceEventType.Warning => LogLevel.Warning,
        TraceEventType.Information => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}
