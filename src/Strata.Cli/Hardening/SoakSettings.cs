namespace Strata.Cli.Hardening;

/// <summary>Everything <c>strata bench soak</c> was asked to do.</summary>
internal sealed record SoakSettings
{
    public required string Url { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>The model to ask for; null takes the first one the server lists.</summary>
    public string? Model { get; init; }

    public int Requests { get; init; } = 10_000;

    public int Concurrency { get; init; } = 64;

    /// <summary>The share of clients that vanish mid-request (mid-upload, mid-prefill or mid-stream; RST or FIN).</summary>
    public double Disconnect { get; init; } = 0.2;

    /// <summary>Requests sent before resident memory is measured, so that growth counts only what a steady server keeps.</summary>
    public int Warmup { get; init; }

    public long MaxMemoryGrowth { get; init; } = 64L << 20;

    public int Seed { get; init; }
}
