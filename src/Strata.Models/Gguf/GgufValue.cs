using System.Globalization;

namespace Strata.Models.Gguf;

/// <summary>One typed metadata value: a boxed primitive, a <see cref="string"/> or a <see cref="GgufArray"/>.</summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object raw)
    {
        Type = type;
        Raw = raw;
    }

    public GgufValueType Type { get; }

    public object Raw { get; }

    public static GgufValue Of(string value) => new(GgufValueType.String, value);
    public static GgufValue Of(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Of(int value) => new(GgufValueType.Int32, value);
    public static GgufValue Of(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Of(long value) => new(GgufValueType.Int64, value);
    public static GgufValue Of(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Of(double value) => new(GgufValueType.Float64, value);
    public static GgufValue Of(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue Of(GgufArray value) => new(GgufValueType.Array, value);

    /// <summary>Wraps a value read from a file; <paramref name="raw"/> must match <paramref name="type"/>.</summary>
    internal static GgufValue Create(GgufValueType type, object raw) => new(type, raw);

    public static bool IsInteger(GgufValueType type) => type is GgufValueType.UInt8 or GgufValueType.Int8
        or GgufValueType.UInt16 or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32
        or GgufValueType.UInt64 or GgufValueType.Int64;

    public string AsString(string key) => Raw as string ?? throw Mismatch(key, "a string");

    public bool AsBool(string key) => Raw is bool b ? b : throw Mismatch(key, "a bool");

    public GgufArray AsArray(string key) => Raw as GgufArray ?? throw Mismatch(key, "an array");

    /// <summary>Any integer type, widened.</summary>
    public long AsInt64(string key) => IsInteger(Type)
        ? Type == GgufValueType.UInt64 ? checked((long)(ulong)Raw) : Convert.ToInt64(Raw, CultureInfo.InvariantCulture)
        : throw Mismatch(key, "an integer");

    /// <summary>Any numeric type, as a double.</summary>
    public double AsDouble(string key) => Type is GgufValueType.Float32 or GgufValueType.Float64 || IsInteger(Type)
        ? Convert.ToDouble(Raw, CultureInfo.InvariantCulture)
        : throw Mismatch(key, "a number");

    public override string ToString() => Raw switch
    {
        string s => s,
        GgufArray a => $"[{a.ElementType} × {a.Count}]",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Raw.ToString() ?? "",
    };

    private GgufFormatException Mismatch(string key, string expected) =>
        new($"metadata '{key}' is {Type}, expected {expected}");
}
