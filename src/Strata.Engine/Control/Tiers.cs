using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>The service tiers in rank order, with their names on the wire.</summary>
public static class Tiers
{
    public static IReadOnlyList<ServiceTier> All { get; } = [ServiceTier.Priority, ServiceTier.Default, ServiceTier.Flex];

    public static int Count => All.Count;

    /// <summary>OpenAI's name for the tier (<c>priority</c>, <c>default</c>, <c>flex</c>).</summary>
    public static string Name(ServiceTier tier) => tier switch
    {
        ServiceTier.Priority => "priority",
        ServiceTier.Default => "default",
        ServiceTier.Flex => "flex",
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    public static bool TryParse(string name, out ServiceTier tier)
    {
        foreach (var candidate in All)
        {
            if (Name(candidate) == name)
            {
                tier = candidate;
                return true;
            }
        }
        tier = default;
        return false;
    }
}
