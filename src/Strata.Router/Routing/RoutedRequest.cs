using Strata.KvCache.Prefix;

namespace Strata.Router.Routing;

/// <summary>A request as the router places it: its prompt's full-block keys and the blocks it will occupy.</summary>
/// <param name="Keys">The keys of the prompt's full blocks, as the nodes derive them.</param>
/// <param name="PromptTokens">The prompt's length in tokens.</param>
/// <param name="PromptBlocks">Blocks the prompt needs, its partial last block included.</param>
/// <param name="Blocks">Blocks it will hold while it runs: the prompt's and its expected output's.</param>
internal sealed record RoutedRequest(IReadOnlyList<BlockKey> Keys, int PromptTokens, int PromptBlocks, int Blocks);
