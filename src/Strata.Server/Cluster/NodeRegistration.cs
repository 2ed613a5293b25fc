using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.Server.Hosting;

namespace Strata.Server.Cluster;

/// <summary>
/// A node's record in the cluster's registry (<see cref="KeyPrefix"/> and its advertised URL, one key with a time to
/// live): its role and load, written at once and then every third of the TTL, so routers following the registry find
/// the node while it runs and lose it one TTL after it dies. A drain or shutdown deletes it first, so that routers stop
/// sending before the node refuses. A store that does not answer is logged and tried again at the next heartbeat: the
/// node serves on, reachable through routers that were given its URL.
/// </summary>
internal sealed class NodeRegistration : IAsyncDisposable
{
    public const string KeyPrefix = "strata:nodes:";

    private readonly NodeRecords _records;
    private readonly string _name;
    private readonly NodeIdentity _node;
    private readonly ServingState _state;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _heartbeat;
    private int _stopped;

    public NodeRegistration(NodeIdentity node, Uri advertise, ServingState state, ILogger logger)
    {
        _records = NodeRecords.Open(node.RegistryUrl!, KeyPrefix);
        _name = advertise.ToString();
        _node = node;
        _state = state;
        _logger = logger;
        _heartbeat = Task.Run(() => BeatAsync(_stopping.Token));
    }

    /// <summary>Stops the heartbeat and deletes the record (once; later calls return at once).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        await _stopping.CancelAsync();
        await _heartbeat;
        try
        {
            await Task.Run(() => _records.Delete(_name));
            _logger.LogInformation("Left the registry ({Name})", _name);
        }
        catch (IOException ex)
        {
            _logger.LogWarning("Could not delete this node's registry record (it expires in {Ttl} s): {Reason}", _node.RegistrationTtl.TotalSeconds, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _records.Dispose();
        _stopping.Dispose();
    }

    private async Task BeatAsync(CancellationToken stopping)
    {
        var failing = false;
        using var timer = new PeriodicTimer(_node.RegistrationTtl / 3);
        do
        {
            try
            {
                _records.Put(_name, Record(), _node.RegistrationTtl);
                if (failing)
                    _logger.LogInformation("Registered again as {Name}", _name);
                failing = false;
            }
            catch (IOException ex)
            {
                if (!failing)
                    _logger.LogWarning("Could not register this node ({Name}): {Reason}; retrying every {Period} s", _name, ex.Message, (_node.RegistrationTtl / 3).TotalSeconds);
                failing = true;
            }
        }
        while (await PeriodicTicks.NextAsync(timer, stopping));
    }

    /// <summary>The node's role and load as JSON (the load once the engine has loaded).</summary>
    private string Record()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("url", _name);
            json.WriteString("role", _node.Role.ToString().ToLowerInvariant());
            json.WriteBoolean("loaded", _state.Engine is not null);
            if (_state.Engine is { } engine)
            {
                var stats = engine.Stats;
                json.WriteNumber("running", stats.RunningSequences);
                json.WriteNumber("waiting", stats.WaitingSequences);
                json.WriteNumber("kv_blocks_total", engine.KvBlockCount);
                json.WriteNumber("kv_blocks_used", stats.KvBlocksUsed);
            }
            json.WriteNumber("updated_unix_ms", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
