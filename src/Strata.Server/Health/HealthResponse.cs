using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Server.Health;

/// <summary>Health reports as JSON: <c>{"status": "degraded", "checks": {"remote-store": {"status": …, "description": …}}}</c>.</summary>
internal static class HealthResponse
{
    /// <summary>The liveness answer: the process serves HTTP.</summary>
    public static Task WriteAliveAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"status":"ok"}""");
    }

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Name(entry.Status));
            if (entry.Description is { } description)
                json.WriteString("description", description);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
