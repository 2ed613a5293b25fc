namespace Strata.Cli.ServeBenchmark;

/// <summary>A whole answer: its status, content type and body, or (<paramref name="Status"/> null) why there was none.</summary>
internal sealed record ApiResponse(int? Status, string? MediaType, string Body, string? TransportError);
