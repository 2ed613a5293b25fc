using System.Text.Json;

namespace Strata.Cli.ServeBenchmark;

/// <summary>What every request of a run shares: where it goes and how to sample.</summary>
internal sealed record RequestSettings
{
    public required ApiEndpoint Endpoint { get; init; }

    public required string Model { get; init; }

    public double Temperature { get; init; }

    /// <summary>Sent only when set: servers that do not know <c>ignore_eos</c> may reject it.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>A JSON object of token id → bias, passed through as <c>logit_bias</c>.</summary>
    public JsonElement? LogitBias { get; init; }
}
