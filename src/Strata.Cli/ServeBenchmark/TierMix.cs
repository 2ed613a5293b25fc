using System.Globalization;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// The share of requests sent in each service tier (<c>--tier-mix priority=0.2,default=0.5,flex=0.3</c>); each
/// request's tier is drawn from its own seeded random stream, so the mix does not move prompts or arrivals.
/// </summary>
internal sealed record TierMix(IReadOnlyList<(ServiceTier Tier, double Share)> Shares)
{
    public static TierMix Parse(string text)
    {
        var shares = new List<(ServiceTier, double)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !Tiers.TryParse(pair[0], out var tier))
                throw new ArgumentException($"--tier-mix: expected tier=share with a tier of priority, default or flex, got '{part}'");
            if (!double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || share < 0 || !double.IsFinite(share))
                throw new ArgumentException($"--tier-mix: the share of {pair[0]} must be a number >= 0, got '{pair[1]}'");
            if (shares.Any(s => s.Item1 == tier))
                throw new ArgumentException($"--tier-mix: {pair[0]} is given twice");
            shares.Add((tier, share));
        }
        var total = shares.Sum(s => s.Item2);
        if (total <= 0)
            throw new ArgumentException("--tier-mix: the shares must add up to more than zero");
        return new TierMix(shares.Select(s => (s.Item1, s.Item2 / total)).ToArray());
    }

    /// <summary>The requests with a tier each, drawn by share.</summary>
    public BenchmarkRequest[] Assign(IEnumerable<BenchmarkRequest> requests, Random random) =>
        requests.Select(request => request with { Tier = Draw(random) }).ToArray();

    /// <summary>One request's tier, drawn by share.</summary>
    public ServiceTier Draw(Random random)
    {
        var draw = random.NextDouble();
        foreach (var (tier, share) in Shares)
        {
            draw -= share;
            if (draw < 0)
                return tier;
        }
        return Shares[^1].Tier;
    }
}
