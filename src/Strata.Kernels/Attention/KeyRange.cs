namespace Strata.Kernels.Attention;

/// <summary>The keys one query token attends to among those handed to a call, <see cref="First"/> to <see cref="Last"/> inclusive; empty when First &gt; Last.</summary>
public readonly record struct KeyRange(int First, int Last);
