using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>
/// Requires <c>Authorization: Bearer KEY</c> with one of the configured keys on the API (<c>/v1/…</c>, and a cluster's
/// prefill leg, <c>/cluster/prefill/…</c>, which computes a prompt for the key's tenant; health and metrics stay open for probes) and records which key it was as the request's tenant — with its limits and default
/// tier when the key is a tenant's from the tenants file.
/// </summary>
internal sealed class ApiKeyCheck(RequestDelegate next, IReadOnlyList<string> apiKeys, IReadOnlyList<TenantLimiter> tenants)
{
    private const string Scheme = "Bearer";

    private readonly (byte[] Expected, string Tenant, TenantLimiter? Limiter)[] _keys = apiKeys
        .Select(key => (Encoding.UTF8.GetBytes(key), Tenant.FromApiKey(key), (TenantLimiter?)null))
        .Concat(tenants.Select(t => (Encoding.UTF8.GetBytes(t.Settings.ApiKey), Tenant.FromApiKey(t.Settings.ApiKey), (TenantLimiter?)t)))
        .ToArray();

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1") && !context.Request.Path.StartsWithSegments("/cluster/prefill"))
            return next(context);
        if (TenantOf(context.Request) is { } tenant)
        {
            Tenant.Set(context, tenant.Tenant);
            if (tenant.Limiter is { } limiter)
                Tenant.SetLimiter(context, limiter);
            return next(context);
        }
        return ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status401Unauthorized,
            "Incorrect or missing API key. Send it as 'Authorization: Bearer YOUR_KEY'.", ApiError.InvalidRequest, null, "invalid_api_key"));
    }

    private (string Tenant, TenantLimiter? Limiter)? TenantOf(HttpRequest request)
    {
        // The scheme is case-insensitive and may be followed by more than one space (RFC 9110, section 11).
        var credentials = request.Headers.Authorization.ToString().AsSpan();
        if (!credentials.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || credentials.Length == Scheme.Length || credentials[Scheme.Length] != ' ')
            return null;
        var given = Encoding.UTF8.GetBytes(credentials[Scheme.Length..].TrimStart(' ').ToString());
        (string, TenantLimiter?)? tenant = null;
        // Every key is compared in constant time, so response timing reveals nothing about a guess.
        foreach (var (expected, keyTenant, limiter) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(given, expected))
                tenant = (keyTenant, limiter);
        }
        return tenant;
    }
}
