using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.KvCache;
using Strata.KvCache.Prefix;

namespace Strata.Router.Nodes;

/// <summary>
/// Keeps one member's view current: reads <c>/cluster/node</c> and checks that the node derives block keys as the
/// router does, then follows <c>/cluster/kv-events</c>. The stream's end (a node killed closes it at once) or six silent
/// seconds (it sends a heartbeat every two) make the node unreachable until it answers again.
/// </summary>
internal sealed class NodeWatcher(ClusterMember member, byte[] modelFingerprint, HttpClient http, ILogger logger)
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(500);

    public async Task RunAsync(CancellationToken stopping)
    {
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stopping);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or JsonException or InvalidDataException)
            {
                if (stopping.IsCancellationRequested)
                    return;
                if (member.Reachable || first)
                    logger.LogWarning("Node {Node} is unreachable: {Reason}", member.Name, ex.Message);
            }
            first = false;
            member.Reachable = false;
            try
            {
                await Task.Delay(Retry, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FollowAsync(CancellationToken stopping)
    {
        using var info = await http.GetFromJsonAsync<JsonDocument>(new Uri(member.BaseAddress, "cluster/node"), stopping)
            ?? throw new InvalidDataException("empty /cluster/node");
        member.Identity = CheckIdentity(info.RootElement);
        member.Role = info.RootElement.GetProperty("role").GetString() ?? "both";

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(member.BaseAddress, "cluster/kv-events"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stopping);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stopping));
        member.Blocks.Clear();
        member.Reachable = true;
        logger.LogInformation("Node {Node} ({Role}) joined", member.Name, member.Role);
        while (true)
        {
            using var silent = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            silent.CancelAfter(Silence);
            var line = await reader.ReadLineAsync(silent.Token) ?? throw new IOException("the node closed its KV event stream");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                Apply(line.AsSpan(6));
        }
    }

    private CacheIdentity CheckIdentity(JsonElement info)
    {
        var blockSize = info.GetProperty("block_size").GetInt32();
        var dataType = Enum.Parse<KvDataType>(info.GetProperty("kv_dtype").GetString()!, ignoreCase: true);
        var identity = new CacheIdentity(modelFingerprint, dataType, blockSize);
        var theirs = info.GetProperty("cache_fingerprint").GetString();
        if (!string.Equals(Convert.ToHexStringLower(identity.Fingerprint), theirs, StringComparison.Ordinal))
            throw new InvalidDataException($"its cache fingerprint {theirs} is not the router's: it serves another model file or numerics");
        return identity;
    }

    private void Apply(ReadOnlySpan<char> json)
    {
        using var kvEvent = JsonDocument.Parse(json.ToString());
        var root = kvEvent.RootElement;
        var tier = TierCredit.Parse(root.GetProperty("tier").GetString()!);
        var stored = root.GetProperty("kind").GetString() == "stored";
        foreach (var key in root.GetProperty("keys").EnumerateArray())
        {
            var block = ParseKey(key.GetString()!);
            if (stored)
                member.Blocks.Stored(block, tier);
            else
                member.Blocks.Removed(block, tier);
        }
    }

    private static BlockKey ParseKey(string hex) =>
        new(ulong.Parse(hex.AsSpan(0, 16), System.Globalization.NumberStyles.HexNumber), ulong.Parse(hex.AsSpan(16, 16), System.Globalization.NumberStyles.HexNumber));
}
