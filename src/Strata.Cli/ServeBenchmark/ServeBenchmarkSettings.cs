using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>Everything <c>strata bench serve</c> was asked to do.</summary>
internal sealed record ServeBenchmarkSettings
{
    public required string Url { get; init; }

    public ApiEndpoint Endpoint { get; init; } = ApiEndpoint.Completions;

    /// <summary>The model to ask for; null takes the first one the server lists.</summary>
    public string? Model { get; init; }

    public string? ApiKey { get; init; }

    public required BenchmarkDataset Dataset { get; init; }

    /// <summary>Requests per second; infinity sends them all at once.</summary>
    public double RequestRate { get; init; } = double.PositiveInfinity;

    /// <summary>The gamma shape of the gaps between arrivals; 1 is a Poisson process.</summary>
    public double Burstiness { get; init; } = 1;

    public int? MaxConcurrency { get; init; }

    public double Temperature { get; init; }

    public bool IgnoreEos { get; init; }

    public JsonElement? LogitBias { get; init; }

    public int Seed { get; init; }

    public GoodputSlo? Goodput { get; init; }

    /// <summary>The share of requests in each service tier; null sends no tier.</summary>
    public TierMix? TierMix { get; init; }

    /// <summary>The tiers' targets, against which attainment is counted.</summary>
    public Strata.Engine.Control.ServiceLevels Slo { get; init; } = new();
}
