using System.CommandLine;
using Strata.Engine.Control;
using Strata.Engine.Requests;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>--slo TIER:ttft=DURATION,tpot=DURATION</c>, repeatable: a service tier's latency targets (a part left out keeps
/// its default), shared by <c>serve</c> and <c>bench serve</c>. Durations are like 1s, 1.5s or 200ms.
/// </summary>
internal static class SloOption
{
    public static Option<string[]> Create(ServiceLevels defaults) => new("--slo")
    {
        Description = $"A tier's targets, like priority:ttft=1s,tpot=200ms; repeat per tier [defaults: priority:{defaults.Priority} default:{defaults.Default} flex:{defaults.Flex}]",
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "tier:ttft=…,tpot=…",
    };

    /// <summary>Applies each spec over <paramref name="levels"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static ServiceLevels Apply(ServiceLevels levels, IEnumerable<string> specs)
    {
        foreach (var spec in specs)
        {
            var colon = spec.IndexOf(':');
            if (colon < 0 || !Tiers.TryParse(spec[..colon], out var tier))
                throw new ArgumentException($"--slo must look like priority:ttft=1s,tpot=200ms with a tier of priority, default or flex, got '{spec}'");
            var target = levels.For(tier);
            foreach (var part in spec[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=');
                var value = equals > 0 ? DurationOption.Parse(part[(equals + 1)..]) : null;
                target = (equals > 0 ? part[..equals] : part, value) switch
                {
                    ("ttft", { } d) => target with { TimeToFirstToken = d },
                    ("tpot", { } d) => target with { TimePerOutputToken = d },
                    _ => throw new ArgumentException($"--slo {spec}: '{part}' must be ttft=DURATION or tpot=DURATION with a duration like 1s or 200ms"),
                };
            }
            levels = levels.With(tier, target);
        }
        return levels;
    }
}
