namespace Strata.Server.Protocol;

/// <summary>Thrown anywhere below an endpoint to answer the request with <see cref="Error"/>.</summary>
internal sealed class ApiException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;

    public static ApiException BadRequest(string message, string? param = null, string? code = null) =>
        new(ApiError.BadRequest(message, param, code));
}
