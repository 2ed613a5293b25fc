namespace Strata.Server.Cluster;

/// <summary>What a router needs of a request to place it: its (first) prompt's tokens, its cache salt and output limit.</summary>
/// <param name="MaxTokens">The client's output limit, or null when it set none.</param>
internal sealed record RoutedPrompt(int[] Tokens, string CacheSalt, int? MaxTokens, bool Stream);
