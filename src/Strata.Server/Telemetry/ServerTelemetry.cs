using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Strata.Server.Metrics;

namespace Strata.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the server: metrics from our meter, ASP.NET Core's and Kestrel's meters and the runtime's, read
/// by Prometheus at <c>/metrics</c> and by <c>dotnet-counters</c>; traces of API requests (ASP.NET Core's request
/// span, W3C <c>traceparent</c> from the client, and <see cref="RequestTracing"/>'s spans below it). Both go to an
/// OTLP collector when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (and the other standard <c>OTEL_*</c> variables
/// apply); <c>OTEL_SDK_DISABLED=true</c> turns it all off.
/// </summary>
internal static class ServerTelemetry
{
    private static readonly string[] PlatformMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics", "System.Runtime", "System.Net.Http",
    ];

    /// <summary>
    /// OpenTelemetry reads its <c>OTEL_*</c> variables from configuration, which the server's empty builder fills from
    /// nothing else (so no other variable can reconfigure Kestrel behind the CLI's back).
    /// </summary>
    public static void AddStandardVariables(IConfigurationBuilder configuration) => configuration.AddInMemoryCollection(
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(variable => ((string)variable.Key).StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(variable => new KeyValuePair<string, string?>((string)variable.Key, (string?)variable.Value)));

    /// <summary>True when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector.</summary>
    public static bool Otlp => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    public static void Add(IServiceCollection services, ServerOptions options)
    {
        var telemetry = AddMetrics(services, "strata", ServerMetrics.MeterName);
        // Spans cost something per request, so they are made only when someone receives them.
        if (Otlp || options.ConfigureTracing is not null)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(RequestTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => context.Request.Path.StartsWithSegments("/v1"));
                options.ConfigureTracing?.Invoke(tracing);
            });
        }
        if (Otlp)
            telemetry.UseOtlpExporter();
    }

    /// <summary>
    /// Metrics of the meter <paramref name="meterName"/> and the platform's, for the Prometheus scrape (map it with
    /// <c>MapPrometheusScrapingEndpoint</c>); the server and the router (<paramref name="serviceName"/>) share this.
    /// </summary>
    public static OpenTelemetryBuilder AddMetrics(IServiceCollection services, string serviceName, string meterName)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName).AddEnvironmentVariableDetector())
            .WithMetrics(metrics => metrics
                .AddMeter(meterName)
                .AddMeter(PlatformMeters)
                .AddPrometheusExporter(prometheus =>
                {
                    // Every scrape sees the present (probes poll it), and the series keep the labels they always had.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                    prometheus.ScopeInfoEnabled = false;
                }));
        // Meters made through a container's IMeterFactory belong to that server: with several servers in one process
        // (tests), each reports only its own. Process-wide meters (the runtime's) have no scope and are kept.
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            var own = provider.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
        });
        return telemetry;
    }
}
