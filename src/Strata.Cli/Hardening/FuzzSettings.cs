namespace Strata.Cli.Hardening;

/// <summary>Everything <c>strata bench fuzz</c> was asked to do.</summary>
internal sealed record FuzzSettings
{
    public required string Url { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>The model to ask for; null takes the first one the server lists.</summary>
    public string? Model { get; init; }

    public int Cases { get; init; } = 1000;

    /// <summary>Cases in flight at once.</summary>
    public int Concurrency { get; init; } = 4;

    public int Seed { get; init; }

    public long MaxMemoryGrowth { get; init; } = 64L << 20;
}
