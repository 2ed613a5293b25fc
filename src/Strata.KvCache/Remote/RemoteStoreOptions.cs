namespace Strata.KvCache.Remote;

/// <summary>
/// Where the shared store is and how patiently to talk to it. Every number here errs towards giving up early: the
/// remote tier only saves work, so waiting on it must never cost more than recomputing would.
/// </summary>
public sealed record RemoteStoreOptions
{
    private const string Scheme = "redis://";
    private const string TlsScheme = "rediss://";

    /// <summary>
    /// The servers to start from. One server: a plain Redis/Garnet server, or any node of a Redis Cluster (the rest
    /// is discovered with CLUSTER SLOTS). Several plain servers: keys are sharded client-side by their Redis Cluster
    /// slot, slots split into equal contiguous ranges in the order listed (every node must list them the same way).
    /// </summary>
    public required IReadOnlyList<RemoteEndpoint> Endpoints { get; init; }

    /// <summary>Longest wait for one reply (or for progress while sending); past it the operation fails.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Longest wait for a publish's reply (or for progress while sending it). Publishes run on a thread of their own,
    /// off every request's path, so they may wait out a store that is briefly starved of CPU by a busy engine rather
    /// than drop the blocks a later request would have found.
    /// </summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for a TCP connection to be established.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a published block lives in the store (the store's own eviction may drop it sooner).</summary>
    public TimeSpan BlockTtl { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Payload bytes that may wait to be published; blocks past it are dropped (and counted).</summary>
    public long PublishQueueBytes { get; init; } = 64L << 20;

    /// <summary>Consecutive failed operations on a server after which it is no longer asked.</summary>
    public int FailuresToOpen { get; init; } = 3;

    /// <summary>Wait before the first probe of a server that stopped answering; doubles per failed probe (with jitter).</summary>
    public TimeSpan BreakerBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between probes of a server that stays down.</summary>
    public TimeSpan BreakerMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Prefix of every key (at most 256 bytes), so the blocks can share a store with other data.</summary>
    public string KeyPrefix { get; init; } = "strata:kv:";

    /// <summary>The ACL user to <c>AUTH</c> as (null: the default user, when there is a password).</summary>
    public string? Username { get; init; }

    /// <summary>The password to <c>AUTH</c> with on every new connection (null: no AUTH). Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>Talk TLS (<c>rediss://</c>), checking the server's certificate against its host name.</summary>
    public bool UseTls { get; init; }

    /// <summary>Checks the server's certificate instead of the system's trust store (for a private CA, or tests).</summary>
    public System.Net.Security.RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>Where state changes worth an operator's attention go (a server going down or coming back).</summary>
    public Action<string> Log { get; init; } = message => Console.Error.WriteLine(message);

    /// <summary>
    /// Reads <c>redis[s]://[[user]:password@]host:port[,host:port…]</c> (<c>rediss</c>: TLS; user and password
    /// URL-encoded); throws <see cref="ArgumentException"/> saying what is wrong, without the password.
    /// </summary>
    public static RemoteStoreOptions Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.Trim();
        var tls = text.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase);
        if (!tls && !text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"remote store URL '{Redact(url)}': expected redis[s]://[[user]:password@]host:port[,host:port...]");
        var rest = text[(tls ? TlsScheme : Scheme).Length..].TrimEnd('/');
        var at = rest.LastIndexOf('@');
        string? user = null, password = null;
        if (at >= 0)
        {
            var credentials = rest[..at];
            var colon = credentials.IndexOf(':');
            if (colon < 0)
                throw new ArgumentException($"remote store URL '{Redact(url)}': write credentials as user:password@ or :password@");
            user = colon > 0 ? Uri.UnescapeDataString(credentials[..colon]) : null;
            password = Uri.UnescapeDataString(credentials[(colon + 1)..]);
            rest = rest[(at + 1)..];
        }
        if (rest.Contains('/') || rest.Contains('?'))
            throw new ArgumentException($"remote store URL '{Redact(url)}': database numbers and options are not supported");
        var parts = rest.Split(',');
        if (parts.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"remote store URL '{Redact(url)}': empty address in the list");
        return new RemoteStoreOptions
        {
            Endpoints = parts.Select(RemoteEndpoint.Parse).Distinct().ToArray(),
            Username = user,
            Password = password,
            UseTls = tls,
        };
    }

    /// <summary>The URL with any credentials replaced by <c>***</c>, fit for logs and errors.</summary>
    public static string Redact(string url)
    {
        var at = url.LastIndexOf('@');
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at < 0 || scheme < 0 || at < scheme ? url : url[..(scheme + 3)] + "***" + url[at..];
    }

    // A record prints every property: never the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Endpoints = [{string.Join(", ", Endpoints)}], Username = {Username}, Password = {(Password is null ? "" : "***")}, UseTls = {UseTls}");
        return true;
    }
}
