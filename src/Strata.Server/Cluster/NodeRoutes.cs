using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.Server.Hosting;

namespace Strata.Server.Cluster;

/// <summary>The routes a cluster node adds for routers: its identity and load, and its KV events.</summary>
internal static class NodeRoutes
{
    public static void Map(WebApplication app)
    {
        // Asked for per request: the node endpoints need the engine, which may still be loading when routes are mapped.
        app.MapGet("/cluster/node", context => context.RequestServices.GetRequiredService<NodeEndpoint>().HandleAsync(context));
        app.MapGet("/cluster/kv-events", context => context.RequestServices.GetRequiredService<KvEventsEndpoint>().HandleAsync(context));
        app.MapPost("/cluster/prefill/completions", context => context.RequestServices.GetRequiredService<PrefillEndpoint>().CompletionsAsync(context));
        app.MapPost("/cluster/prefill/chat", context => context.RequestServices.GetRequiredService<PrefillEndpoint>().ChatAsync(context));
        app.MapGet("/cluster/leases/{id}", (HttpContext context, string id) => context.RequestServices.GetRequiredService<LeaseEndpoint>().HandleAsync(context, id));
    }

    public static IServiceCollection AddNode(this IServiceCollection services, NodeIdentity node) => services
        .AddSingleton(node)
        .AddSingleton(services => ServingState.WithEngine<NodeEndpoint>(services))
        .AddSingleton<KvEventsEndpoint>()
        .AddSingleton(services => ServingState.WithEngine<PrefillEndpoint>(services))
        .AddSingleton(services => ServingState.WithEngine<LeaseEndpoint>(services))
        .AddSingleton(new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>Pulls KV hand-offs for requests that name a lease (any node: one that does not receive them refuses such requests).</summary>
    public static void UseHandoffs(WebApplication app) => app.UseMiddleware<HandoffReceiver>();
}
