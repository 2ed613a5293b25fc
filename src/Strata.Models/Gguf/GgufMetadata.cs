namespace Strata.Models.Gguf;

/// <summary>The key/value metadata of a GGUF file, in file order, with typed lookups.</summary>
public sealed class GgufMetadata
{
    private readonly Dictionary<string, GgufValue> _byKey = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, GgufValue>> _ordered = [];

    public IReadOnlyList<KeyValuePair<string, GgufValue>> Entries => _ordered;

    public int Count => _ordered.Count;

    public bool Contains(string key) => _byKey.ContainsKey(key);

    public void Add(string key, GgufValue value)
    {
        if (!_byKey.TryAdd(key, value))
            throw new GgufFormatException($"duplicate metadata key '{key}'");
        _ordered.Add(new(key, value));
    }

    public bool TryGet(string key, out GgufValue value) => _byKey.TryGetValue(key, out value!);

    public GgufValue Get(string key) =>
        _byKey.TryGetValue(key, out var value) ? value : throw new GgufFormatException($"missing metadata key '{key}'");

    public string GetString(string key) => Get(key).AsString(key);

    public string? GetStringOrNull(string key) => TryGet(key, out var v) ? v.AsString(key) : null;

    public long GetInt64(string key) => Get(key).AsInt64(key);

    public long GetInt64(string key, long fallback) => TryGet(key, out var v) ? v.AsInt64(key) : fallback;

    public int GetInt32(string key) => checked((int)GetInt64(key));

    public int GetInt32(string key, int fallback) => checked((int)GetInt64(key, fallback));

    public float GetFloat(string key, float fallback) => TryGet(key, out var v) ? (float)v.AsDouble(key) : fallback;

    public bool GetBool(string key, bool fallback) => TryGet(key, out var v) ? v.AsBool(key) : fallback;

    public GgufArray? GetArrayOrNull(string key) => TryGet(key, out var v) ? v.AsArray(key) : null;
}
