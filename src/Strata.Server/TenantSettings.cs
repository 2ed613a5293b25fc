using System.Text.Json;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Server;

/// <summary>
/// One tenant of the server: its API key, a name for logs and metrics, the tier its requests get when they ask for
/// <c>auto</c> (or nothing), and its limits: requests running at once and tokens (prompt plus the completion's limit)
/// per minute; 0 means unlimited.
/// </summary>
public sealed record TenantSettings(string ApiKey, string Name, ServiceTier DefaultTier = ServiceTier.Default, int MaxConcurrent = 0, long TokensPerMinute = 0)
{
    /// <summary>
    /// Reads a tenants file: a JSON array of objects with <c>api_key</c>, <c>name</c>, and optionally
    /// <c>default_tier</c> (priority, default, flex), <c>max_concurrent</c> and <c>tokens_per_minute</c>.
    /// Throws <see cref="FormatException"/> naming the entry and field that is wrong.
    /// </summary>
    public static IReadOnlyList<TenantSettings> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new FormatException("the tenants file must hold a JSON array of tenants");
        var tenants = new List<TenantSettings>();
        foreach (var (entry, i) in document.RootElement.EnumerateArray().Select((e, i) => (e, i)))
        {
            if (entry.ValueKind != JsonValueKind.Object)
                throw new FormatException($"tenant {i} must be a JSON object");
            var key = RequiredString(entry, "api_key", i);
            var name = RequiredString(entry, "name", i);
            var tier = ServiceTier.Default;
            if (entry.TryGetProperty("default_tier", out var tierValue) && (tierValue.ValueKind != JsonValueKind.String || !Tiers.TryParse(tierValue.GetString()!, out tier)))
                throw new FormatException($"tenant {i} ({name}): default_tier must be priority, default or flex");
            tenants.Add(new TenantSettings(key, name, tier, (int)Count(entry, "max_concurrent", i, name), Count(entry, "tokens_per_minute", i, name)));
        }
        if (tenants.Select(t => t.ApiKey).Distinct().Count() != tenants.Count)
            throw new FormatException("two tenants have the same api_key");
        if (tenants.Select(t => t.Name).Distinct().Count() != tenants.Count)
            throw new FormatException("two tenants have the same name");
        return tenants;
    }

    private static string RequiredString(JsonElement entry, string field, int index) =>
        entry.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"tenant {index}: {field} must be a non-empty string");

    private static long Count(JsonElement entry, string field, int index, string name)
    {
        if (!entry.TryGetProperty(field, out var value))
            return 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var count) || count < 0)
            throw new FormatException($"tenant {index} ({name}): {field} must be a whole number >= 0");
        return count;
    }
}
