using System.CommandLine;
using Strata.KvCache.Remote;
using Strata.Models;
using Strata.Router;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata router</c>: the OpenAI front door of a cluster of <c>strata serve</c> nodes, until Ctrl-C or SIGTERM. The
/// model file gives it the tokenizer, chat template and block keys the nodes use.
/// </summary>
internal static class RouterCommand
{
    public static Command Create()
    {
        var model = ModelOption.Create();
        var host = new Option<string>("--host") { Description = "IP address to listen on, or localhost", DefaultValueFactory = _ => "127.0.0.1" };
        var port = PortOption.Create(8080);
        var nodes = new Option<string[]>("--node") { Description = "A node's base URL, like http://127.0.0.1:8000; repeat for each node", Arity = ArgumentArity.OneOrMore };
        nodes.Validators.Add(r =>
        {
            foreach (var url in r.GetValueOrDefault<string[]>() ?? [])
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    r.AddError($"--node must be an http(s) URL like http://127.0.0.1:8000, got '{url}'");
        });
        var registry = new Option<string?>("--registry") { Description = "Also route to the nodes registered in this Redis-protocol store (strata serve --register): redis[s]://[[user]:password@]host:port; they join and leave while the router runs" };
        var policy = new Option<string>("--policy") { Description = "How nodes are picked: where the prompt's prefix is cached and there is room, or in turn", DefaultValueFactory = _ => "kv-aware" };
        policy.AcceptOnlyFromAmong("kv-aware", "round-robin");
        var threshold = DisaggregationThreshold.Create();
        var command = new Command("router", "Route OpenAI requests to a cluster of strata serve nodes, by where their prefixes are cached")
        {
            model, host, port, nodes, registry, policy, threshold,
        };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            if (result.GetValue(nodes) is not { Length: > 0 } && result.GetValue(registry) is null)
                throw new ArgumentException("a router needs at least one --node URL, or a --registry redis://… where nodes register");
            if (result.GetValue(registry) is { } registryUrl)
                RemoteStoreOptions.Parse(registryUrl); // refuses a malformed URL before the model loads, saying why
            using var loaded = LoadedModel.Load(ModelOption.Resolve(result.GetValue(model)));
            var options = new RouterOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                Registry = result.GetValue(registry),
                Nodes = [.. (result.GetValue(nodes) ?? []).Select(url => new Uri(url.EndsWith('/') ? url : url + "/"))],
                Policy = result.GetValue(policy) == "round-robin" ? RoutingPolicy.RoundRobin : RoutingPolicy.KvAware,
                DisaggregationThreshold = result.GetValue(threshold),
            };
            await using var router = await StrataRouter.StartAsync(loaded, options, cancellation);
            await router.WaitForShutdownAsync(cancellation);
            return 0;
        }));
        return command;
    }
}
