using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary>Answers a submitted generation as a stream or as one JSON object, as the request asked.</summary>
internal static class GenerationResponse
{
    public static Task WriteAsync(HttpContext context, ActiveGeneration generation, GenerationFields fields, IResponseFormat format, string model)
    {
        var header = ResponseHeader.Create(format.IdPrefix, model, generation.Tier);
        return fields.Stream
            ? StreamResponder.WriteAsync(context.Response, generation, format, header, fields.IncludeUsage)
            : JsonResponder.WriteAsync(context.Response, generation, format, header);
    }
}
