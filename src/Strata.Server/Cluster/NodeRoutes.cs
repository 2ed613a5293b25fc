using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Server.Cluster;

/// <summary>The routes a cluster node adds for routers: its identity and load, and its KV events.</summary>
internal static class NodeRoutes
{
    public static void Map(WebApplication app)
    {
        var services = app.Services;
        app.MapGet("/cluster/node", services.GetRequiredService<NodeEndpoint>().HandleAsync);
        app.MapGet("/cluster/kv-events", services.GetRequiredService<KvEventsEndpoint>().HandleAsync);
    }

    public static IServiceCollection AddNode(this IServiceCollection services, NodeIdentity node) => services
        .AddSingleton(node)
        .AddSingleton<NodeEndpoint>()
        .AddSingleton<KvEventsEndpoint>();
}
