namespace Strata.Engine.Requests;

/// <summary>
/// The class of service a request is in, most urgent first (OpenAI's <c>service_tier</c>: <c>priority</c>,
/// <c>default</c>, <c>flex</c>). Each tier has its own latency targets; under overload higher tiers are served and
/// admitted first, and lower ones are shed first.
/// </summary>
public enum ServiceTier
{
    /// <summary>Gold: served first, may preempt the tiers below.</summary>
    Priority,

    /// <summary>Silver.</summary>
    Default,

    /// <summary>Bronze: served last, rejected first (with 429, as a quota it may retry).</summary>
    Flex,
}
