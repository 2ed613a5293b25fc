using Strata.Server.Generation;

namespace Strata.Server.Http;

/// <summary>What the access log line of one API request tells beyond HTTP: the generation it ran, if it got that far.</summary>
internal sealed class RequestLog
{
    public ActiveGeneration? Generation { get; set; }
}
