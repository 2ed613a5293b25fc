using Microsoft.AspNetCore.Http;

namespace Strata.Server.Protocol;

/// <summary>The <c>model</c> field: optional, but when given it must name the one model this server runs.</summary>
internal static class ServedModel
{
    public static void Check(JsonFields fields, string servedName)
    {
        var requested = fields.String("model");
        if (requested is not null && requested != servedName)
        {
            throw new ApiException(new ApiError(StatusCodes.Status404NotFound,
                $"The model `{requested}` does not exist; this server runs `{servedName}`.", ApiError.InvalidRequest, "model", "model_not_found"));
        }
    }
}
