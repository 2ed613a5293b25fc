using System.Text;

namespace Strata.KvCache.Remote;

/// <summary>
/// Short-lived text records in the store, one key with a time to live each under a common prefix: a cluster's registry
/// of nodes (each node refreshes its own record; the ones that stop refreshing expire). Talks to the first server of
/// <see cref="RemoteStoreOptions.Endpoints"/> only (a registry is a few small keys; a Redis Cluster's other shards
/// would need a SCAN each), over one connection, one command at a time; a connection that failed is opened again by
/// the next call. Every failure is an <see cref="IOException"/> saying what went wrong.
/// </summary>
public sealed class RemoteRecords(RemoteStoreOptions options, string prefix) : IDisposable
{
    private const int ScanBatch = 1000;
    private readonly Lock _lock = new();
    private RedisConnection? _connection;

    public string Prefix { get; } = prefix;

    /// <summary>
    /// Records in the store at <paramref name="url"/> (<see cref="RemoteStoreOptions.Parse"/>), waiting up to a second to
    /// connect and for each reply: a registry is off every request's path, unlike the remote tier's block reads.
    /// </summary>
    public static RemoteRecords Open(string url, string prefix) =>
        new(RemoteStoreOptions.Parse(url) with { ConnectTimeout = TimeSpan.FromSeconds(1), OperationTimeout = TimeSpan.FromSeconds(1) }, prefix);

    /// <summary>Writes (or replaces) the record <paramref name="name"/>, to expire after <paramref name="ttl"/> unless written again.</summary>
    public void Put(string name, string value, TimeSpan ttl) =>
        Run(connection => connection.Execute("SET", Prefix + name, value, "PX", $"{Math.Max(1, (long)ttl.TotalMilliseconds)}"));

    /// <summary>Removes the record <paramref name="name"/>; true if it was there.</summary>
    public bool Delete(string name) => Run(connection => connection.Execute("DEL", Prefix + name)).Integer > 0;

    /// <summary>Every record under the prefix, by name (a record that expires between the scan and the read is left out).</summary>
    public IReadOnlyDictionary<string, string> ReadAll()
    {
        lock (_lock)
        {
            var keys = new List<string>();
            var cursor = "0";
            do
            {
                var page = Run(connection => connection.Execute("SCAN", cursor, "MATCH", Escape(Prefix) + "*", "COUNT", $"{ScanBatch}"));
                if (page.Items is not [var next, var found])
                    throw new IOException("the store's SCAN reply is not a cursor and a list of keys");
                cursor = next.AsText() ?? "0";
                keys.AddRange(found.Items?.Select(k => k.AsText()!) ?? []);
            }
            while (cursor != "0");
            var records = new Dictionary<string, string>(StringComparer.Ordinal);
            if (keys.Count == 0)
                return records;
            var values = Run(connection => connection.Execute(["MGET", .. keys.Distinct()]));
            foreach (var (key, value) in keys.Distinct().Zip(values.Items ?? []))
                if (value.AsText() is { } text)
                    records[key[Prefix.Length..]] = text;
            return records;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    private RespReply Run(Func<RedisConnection, RespReply> command)
    {
        lock (_lock)
        {
            try
            {
                _connection ??= RedisConnection.Open(options.Endpoints[0], options);
                var reply = command(_connection);
                if (reply.IsError)
                    throw new IOException($"the store at {options.Endpoints[0]} refused: {reply.Text}");
                return reply;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or InvalidDataException)
            {
                _connection?.Dispose();
                _connection = null;
                throw ex as IOException ?? new IOException($"the store at {options.Endpoints[0]}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>The prefix as a SCAN pattern matches it literally (its glob characters escaped).</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
                escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
