namespace Strata.Simulation.Routing;

/// <summary>What a router reads of a node: a simulated node, or a real engine a validation routes to as the simulation would.</summary>
internal interface INodeLoad
{
    /// <summary>The node's place in the cluster (the index its KV events are kept under).</summary>
    int Index { get; }

    /// <summary>Prompt tokens of admitted requests that have no first token yet: the prefill work queued there.</summary>
    long PendingPromptTokens { get; }

    /// <summary>Requests admitted and not finished.</summary>
    int InFlight { get; }
}
