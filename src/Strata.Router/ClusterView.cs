using System.Text.Json;
using Strata.Router.Nodes;
using Strata.Router.Routing;
using Strata.Server.Cluster;

namespace Strata.Router;

/// <summary>
/// The router's nodes — those it was given and those that registered, which join and leave while it runs — and how it
/// reads a request into what placing it needs.
/// </summary>
internal sealed class ClusterView(IEnumerable<ClusterMember> members, PromptReader prompts)
{
    private readonly Lock _lock = new();
    private volatile ClusterMember[] _members = [.. members];

    /// <summary>Output blocks assumed for a request that sets no limit (chat runs until the model stops).</summary>
    private const int UnlimitedOutputTokens = 256;

    /// <summary>The completions API's default output limit.</summary>
    private const int CompletionsDefaultTokens = 16;

    /// <summary>The nodes now (a snapshot: a request ranks the nodes it read here even if one leaves meanwhile).</summary>
    public IReadOnlyList<ClusterMember> Members => _members;

    /// <summary>The member at <paramref name="address"/>, if there is one.</summary>
    public ClusterMember? Find(Uri address) => _members.FirstOrDefault(m => m.BaseAddress == address);

    /// <summary>Adds a registered node unless one with its address is there; the member at the address either way.</summary>
    public ClusterMember Join(Uri address, out bool joined)
    {
        lock (_lock)
        {
            joined = false;
            if (Find(address) is { } present)
                return present;
            var member = new ClusterMember(address) { Registered = true };
            _members = [.. _members, member];
            joined = true;
            return member;
        }
    }

    public void Leave(ClusterMember member)
    {
        lock (_lock)
            _members = [.. _members.Where(m => m != member)];
    }

    /// <summary>The nodes that take API requests: all but the prefill nodes (unless there are only prefill nodes).</summary>
    public IReadOnlyList<ClusterMember> Serving => Members.Where(m => m.Role != "prefill").ToList() is { Count: > 0 } serving ? serving : Members;

    /// <summary>The prefill nodes, which compute prompts for the decode nodes.</summary>
    public IReadOnlyList<ClusterMember> Prefill => [.. Members.Where(m => m.Role == "prefill")];

    /// <summary>The request's block keys and size; null when it cannot be read or no node's identity is known yet.</summary>
    public RoutedRequest? Describe(JsonElement body, bool chat, string tenant)
    {
        var identity = Members.Select(m => m.Identity).FirstOrDefault(i => i is not null);
        if (identity is null || prompts.Read(body, chat) is not { } prompt)
            return null;
        var output = prompt.MaxTokens ?? (chat ? UnlimitedOutputTokens : CompletionsDefaultTokens);
        var promptBlocks = (prompt.Tokens.Length + identity.BlockSize - 1) / identity.BlockSize;
        var blocks = (prompt.Tokens.Length + output + identity.BlockSize - 1) / identity.BlockSize;
        return new RoutedRequest(identity.Keys(tenant, prompt.CacheSalt, prompt.Tokens), prompt.Tokens.Length, promptBlocks, blocks, prompt.Tier,
            prompt.Tokenized ? prompt.Tokens : null);
    }
}
