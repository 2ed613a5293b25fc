using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Strata.Server.Http;

/// <summary>
/// Which tenant a request belongs to: a digest of its API key (never the key itself), or empty without keys. The
/// tenant salts the prefix cache, so tenants never share KV blocks.
/// </summary>
internal static class Tenant
{
    private const string ItemKey = "strata.tenant";
    private const string LimiterKey = "strata.tenant.limits";

    public static string FromApiKey(string apiKey) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..16];

    public static void Set(HttpContext context, string tenant) => context.Items[ItemKey] = tenant;

    public static string Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var tenant) ? (string)tenant! : "";

    /// <summary>Records the limits and default tier of a tenant from the tenants file.</summary>
    public static void SetLimiter(HttpContext context, TenantLimiter limiter) => context.Items[LimiterKey] = limiter;

    /// <summary>The tenant's limits, or null for a key given without a tenants file (or no key at all).</summary>
    public static TenantLimiter? LimiterOf(HttpContext context) => context.Items.TryGetValue(LimiterKey, out var limiter) ? (TenantLimiter)limiter! : null;
}
