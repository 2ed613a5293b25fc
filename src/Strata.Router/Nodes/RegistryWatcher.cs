using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.KvCache.Remote;
using Strata.Server.Cluster;

namespace Strata.Router.Nodes;

/// <summary>
/// Follows the cluster's registry (the records nodes keep with <c>strata serve --register</c>): reads it at once and every
/// <see cref="Poll"/>; a node whose record appears joins the router's members, one whose record is gone (deleted on its
/// shutdown, or expired after it died) leaves. Nodes given with <c>--node</c> never leave. While the store does not
/// answer, the members stay as they were: their watchers still tell which of them are reachable.
/// </summary>
internal sealed class RegistryWatcher(RemoteRecords records, ClusterView cluster, MemberWatchers watchers, ILogger logger)
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stopping)
    {
        var failing = false;
        using var timer = new PeriodicTimer(Poll);
        do
        {
            try
            {
                await SyncAsync(await Task.Run(records.ReadAll, stopping));
                if (failing)
                    logger.LogInformation("The registry answers again");
                failing = false;
            }
            catch (IOException ex)
            {
                if (!failing)
                    logger.LogWarning("Cannot read the registry: {Reason}; keeping the nodes known so far", ex.Message);
                failing = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (await PeriodicTicks.NextAsync(timer, stopping));
    }

    private async Task SyncAsync(IReadOnlyDictionary<string, string> registered)
    {
        var present = new HashSet<Uri>();
        foreach (var (name, record) in registered)
        {
            if (!Uri.TryCreate(name, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
                continue;
            present.Add(address);
            var member = cluster.Join(address, out var joined);
            if (!joined)
                continue;
            logger.LogInformation("Node {Node} registered ({Role})", member.Name, RoleOf(record));
            watchers.Start(member);
        }
        foreach (var gone in cluster.Members.Where(m => m.Registered && !present.Contains(m.BaseAddress)))
        {
            cluster.Leave(gone);
            await watchers.StopAsync(gone);
            logger.LogInformation("Node {Node} left the registry", gone.Name);
        }
    }

    private static string RoleOf(string record)
    {
        try
        {
            using var json = JsonDocument.Parse(record);
            return json.RootElement.TryGetProperty("role", out var role) ? role.GetString() ?? "?" : "?";
        }
        catch (JsonException)
        {
            return "?";
        }
    }
}
