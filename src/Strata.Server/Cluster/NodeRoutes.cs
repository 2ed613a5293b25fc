using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Hosting;

namespace Strata.Server.Cluster;

/// <summary>The routes a cluster node adds for routers: its identity and load, and its KV events.</summary>
internal static class NodeRoutes
{
    public static void Map(WebApplication app)
    {
        // Asked for per request: the node endpoint needs the engine, which may still be loading when routes are mapped.
        app.MapGet("/cluster/node", context => context.RequestServices.GetRequiredService<NodeEndpoint>().HandleAsync(context));
        app.MapGet("/cluster/kv-events", context => context.RequestServices.GetRequiredService<KvEventsEndpoint>().HandleAsync(context));
    }

    public static IServiceCollection AddNode(this IServiceCollection services, NodeIdentity node) => services
        .AddSingleton(node)
        .AddSingleton(services => ServingState.WithEngine<NodeEndpoint>(services))
        .AddSingleton<KvEventsEndpoint>();
}
