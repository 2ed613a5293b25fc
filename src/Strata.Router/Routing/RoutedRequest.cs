using Strata.Engine.Requests;
using Strata.KvCache.Prefix;

namespace Strata.Router.Routing;

/// <summary>A request as the router places it: its prompt's full-block keys, the blocks it will occupy and its tier.</summary>
/// <param name="Keys">The keys of the prompt's full blocks, as the nodes derive them.</param>
/// <param name="PromptTokens">The prompt's length in tokens.</param>
/// <param name="PromptBlocks">Blocks the prompt needs, its partial last block included.</param>
/// <param name="Blocks">Blocks it will hold while it runs: the prompt's and its expected output's.</param>
/// <param name="Tier">The service tier it asked for: a node's lower-tier work is headroom to it (see <c>KvAwareRanking</c>).</param>
/// <param name="TokensForNode">The prompt's ids, sent to the nodes so they do not tokenize it again; null when the request's prompts are not one text.</param>
internal sealed record RoutedRequest(IReadOnlyList<BlockKey> Keys, int PromptTokens, int PromptBlocks, int Blocks, ServiceTier Tier = ServiceTier.Default,
    int[]? TokensForNode = null);
