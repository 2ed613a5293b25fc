using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using Strata.KvCache.Remote;
using Strata.Models;
using Strata.Router.Forwarding;
using Strata.Router.Nodes;
using Strata.Router.Routing;
using Strata.Server;
using Strata.Server.Cluster;
using Strata.Server.Http;
using Strata.Server.Protocol;
using Strata.Server.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Strata.Router;

/// <summary>
/// The OpenAI front door of a cluster of <c>strata serve</c> nodes: <c>/v1/completions</c> and
/// <c>/v1/chat/completions</c> go to the node the routing policy picks (the model file gives the router the same
/// tokenizer, chat template and block keys as the nodes), <c>/v1/models</c> to any node; <c>/health</c> and
/// <c>/metrics</c> are the router's own.
/// </summary>
public sealed class StrataRouter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly MemberWatchers _watchers;
    private readonly Task _registry;
    private readonly RemoteRecords? _records;
    private readonly HttpMessageInvoker _forwardClient;

    private StrataRouter(WebApplication app, Uri baseAddress, CancellationTokenSource stopping, MemberWatchers watchers, Task registry, RemoteRecords? records,
        HttpMessageInvoker forwardClient)
    {
        _app = app;
        BaseAddress = baseAddress;
        _stopping = stopping;
        _watchers = watchers;
        _registry = registry;
        _records = records;
        _forwardClient = forwardClient;
    }

    /// <summary>The address the router listens on, such as <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Binds the port, starts following the nodes and answering requests.</summary>
    /// <param name="model">The model the nodes serve: its tokenizer, chat template and fingerprint.</param>
    public static async Task<StrataRouter> StartAsync(LoadedModel model, RouterOptions options, CancellationToken cancellation = default)
    {
        if (options.Nodes.Count == 0 && options.Registry is null)
            throw new ArgumentException("a router needs at least one --node, or a --registry to find them in");
        var records = options.Registry is null ? null : RemoteRecords.Open(options.Registry, NodeRegistration.KeyPrefix);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(StrataRouter).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            StrataServer.Listen(kestrel, options.Host, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddHttpForwarder();
        ServerLogging.Configure(builder.Logging, LogFormat.Text, options.LogLevel);
        ServerTelemetry.AddStandardVariables(builder.Configuration);
        var telemetry = ServerTelemetry.AddMetrics(builder.Services, "strata-router", RouterMetrics.MeterName);
        if (ServerTelemetry.Otlp)
            telemetry.UseOtlpExporter();

        var members = options.Nodes.Select(uri => new ClusterMember(uri)).ToList();
        var forwardClient = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ActivityHeadersPropagator = null,
        });
        builder.Services
            .AddSingleton(new ClusterView(members, new PromptReader(model)))
            .AddSingleton<IRouteRanking>(options.Policy == RoutingPolicy.RoundRobin ? new RoundRobinRanking() : new KvAwareRanking())
            .AddSingleton(forwardClient)
            .AddSingleton<RouterMetrics>()
            .AddSingleton(options)
            .AddSingleton<PrefillLeg>()
            .AddSingleton<GenerationProxy>()
            .AddSingleton<RouterEndpoints>();

        var app = builder.Build();
        var proxy = app.Services.GetRequiredService<GenerationProxy>();
        var endpoints = app.Services.GetRequiredService<RouterEndpoints>();
        app.MapPost("/v1/completions", proxy.CompletionsAsync);
        app.MapPost("/v1/chat/completions", proxy.ChatAsync);
        app.MapGet("/v1/models", proxy.AnyNodeAsync);
        app.MapGet("/health", endpoints.HealthAsync);
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapFallback(context => ErrorResponse.WriteAsync(context.Response, new ApiError(StatusCodes.Status404NotFound,
            $"Unknown route: {context.Request.Method} {context.Request.Path}.", ApiError.InvalidRequest, null, "unknown_url")));

        await app.StartAsync(cancellation);
        var logger = app.Services.GetRequiredService<ILogger<StrataRouter>>();
        var fingerprint = ModelFingerprint.Compute(model.File);
        var stopping = new CancellationTokenSource();
        var watchers = new MemberWatchers(fingerprint, logger);
        foreach (var member in members)
            watchers.Start(member);
        var registry = records is null ? Task.CompletedTask
            : Task.Run(() => new RegistryWatcher(records, app.Services.GetRequiredService<ClusterView>(), watchers, logger).RunAsync(stopping.Token));
        var address = new Uri(app.Urls.First());
        logger.LogInformation("Routing {Model} at {Url} to {Count} nodes{Registry} ({Policy})", model.Name, address, members.Count,
            options.Registry is null ? "" : $" and those registered at {RemoteStoreOptions.Redact(options.Registry)}", options.Policy);
        return new StrataRouter(app, address, stopping, watchers, registry, records, forwardClient);
    }

    /// <summary>Returns once the router was asked to stop (<paramref name="cancellation"/>, Ctrl-C or SIGTERM) and has stopped.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _stopping.CancelAsync();
        await _registry;
        await _watchers.DisposeAsync();
        await _app.DisposeAsync();
        _records?.Dispose();
        _forwardClient.Dispose();
        _stopping.Dispose();
    }
}
