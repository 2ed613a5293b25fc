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
        var prefill = services.GetRequiredService<PrefillEndpoint>();
        app.MapPost("/cluster/prefill/completions", prefill.CompletionsAsync);
        app.MapPost("/cluster/prefill/chat", prefill.ChatAsync);
        app.MapGet("/cluster/leases/{id}", services.GetRequiredService<LeaseEndpoint>().HandleAsync);
    }

    public static IServiceCollection AddNode(this IServiceCollection services, NodeIdentity node) => services
        .AddSingleton(node)
        .AddSingleton<NodeEndpoint>()
        .AddSingleton<KvEventsEndpoint>()
        .AddSingleton<PrefillEndpoint>()
        .AddSingleton<LeaseEndpoint>()
        .AddSingleton(new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>Pulls KV hand-offs for requests that name a lease (any node: one that does not receive them refuses such requests).</summary>
    public static void UseHandoffs(WebApplication app) => app.UseMiddleware<HandoffReceiver>();
}
