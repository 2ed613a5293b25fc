using Strata.KvCache.Remote;

namespace Strata.TestSupport.Stores;

/// <summary>A patient connection for test set-up and inspection (raw GET/SET, PTTL, DBSIZE, cluster commands).</summary>
internal sealed class RawStoreClient(RemoteEndpoint endpoint, string? password = null) : IDisposable
{
    private readonly RedisConnection _connection = RedisConnection.Open(endpoint, new RemoteStoreOptions
    {
        Endpoints = [endpoint],
        ConnectTimeout = TimeSpan.FromSeconds(2),
        OperationTimeout = TimeSpan.FromSeconds(5),
        Password = password,
    });

    public RespReply Command(params string[] arguments) => _connection.Execute(arguments);

    public byte[]? Get(string key) => Command("GET", key).Bulk;

    /// <summary>SET without NX: overwrites whatever is there, as a buggy or hostile writer could.</summary>
    public void Set(string key, byte[] value)
    {
        var writer = _connection.Writer;
        writer.WriteArrayHeader(3);
        writer.WriteBulk("SET");
        writer.WriteBulk(key);
        writer.WriteBulk(value);
        writer.Flush();
        _connection.StartReply();
        var reply = _connection.Reader.ReadReply();
        if (reply.Text != "OK")
            throw new InvalidOperationException($"SET {key} answered {reply.Text}");
    }

    public long DbSize() => Command("DBSIZE").Integer;

    public IReadOnlyList<string> Keys() => Command("KEYS", "*").Items!.Select(key => key.AsText()!).ToArray();

    public void Dispose() => _connection.Dispose();
}
