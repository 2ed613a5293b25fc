using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Http;

/// <summary>Requires <c>Authorization: Bearer KEY</c> on the API (<c>/v1/…</c>); health and metrics stay open for probes.</summary>
internal sealed class ApiKeyCheck(RequestDelegate next, string apiKey)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes("Bearer " + apiKey);

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1") || Authorized(context.Request))
            return next(context);
        return ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status401Unauthorized,
            "Incorrect or missing API key. Send it as 'Authorization: Bearer YOUR_KEY'.", ApiError.InvalidRequest, null, "invalid_api_key"));
    }

    private bool Authorized(HttpRequest request)
    {
        var given = Encoding.UTF8.GetBytes(request.Headers.Authorization.ToString());
        // Constant time, so response timing reveals nothing about how much of a guess was right.
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
