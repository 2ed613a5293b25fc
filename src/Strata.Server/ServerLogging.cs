using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Strata.Server;

/// <summary>The one logging setup of <c>strata serve</c> and <c>strata router</c>: every line to stderr, as text or JSON.</summary>
public static class ServerLogging
{
    /// <summary>A logger factory for whatever runs beside the server (the CLI, the engine), set up as the server's own.</summary>
    public static ILoggerFactory CreateFactory(LogFormat format, LogLevel level) => LoggerFactory.Create(logging => Configure(logging, format, level));

    public static void Configure(ILoggingBuilder logging, LogFormat format, LogLevel level)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        // ASP.NET Core's own information messages (every request, "Now listening on") would drown the server's.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // A router logs a failed node once in its own words; YARP would add a stack trace per forwarding failure.
        logging.AddFilter("Yarp", LogLevel.Error);
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }
        // stdout stays free for whatever runs the server; every log line goes to stderr.
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
