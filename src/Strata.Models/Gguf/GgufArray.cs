namespace Strata.Models.Gguf;

/// <summary>
/// A metadata array. <see cref="Items"/> is a typed CLR array: <c>byte[]</c> for UInt8, <c>float[]</c> for Float32,
/// <c>string[]</c> for String, <c>GgufArray[]</c> for nested arrays, and so on.
/// </summary>
public sealed class GgufArray(GgufValueType elementType, Array items)
{
    public GgufValueType ElementType { get; } = elementType;

    public Array Items { get; } = items;

    public int Count => Items.Length;

    /// <summary>The items as <typeparamref name="T"/>[]; throws a format error naming the actual element type otherwise.</summary>
    public T[] As<T>(string key) => Items as T[]
        ?? throw new GgufFormatException($"metadata '{key}' is an array of {ElementType}, expected {typeof(T).Name}");

    /// <summary>Integer items of any width widened to <see cref="long"/>.</summary>
    public long[] ToInt64(string key) => Items switch
    {
        long[] a => a,
        _ when GgufValue.IsInteger(ElementType) => Items.Cast<object>().Select(Convert.ToInt64).ToArray(),
        _ => throw new GgufFormatException($"metadata '{key}' is an array of {ElementType}, expected integers"),
    };
}
