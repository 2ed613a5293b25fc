using Strata.Engine.Requests;

namespace Strata.Server.Cluster;

/// <summary>What a router needs of a request to place it: its (first) prompt's tokens, its cache salt, output limit and tier.</summary>
/// <param name="MaxTokens">The client's output limit, or null when it set none.</param>
/// <param name="Tier">The service tier asked for (<c>default</c> for <c>auto</c> or none).</param>
/// <param name="Tokenized">
/// True when the tokens are the request's only prompt read from text (a chat, or one text completion prompt): the
/// router sends them to the node (<see cref="RoutedTokens"/>) so it does not tokenize them again.
/// </param>
internal sealed record RoutedPrompt(int[] Tokens, string CacheSalt, int? MaxTokens, bool Stream, ServiceTier Tier, bool Tokenized);
