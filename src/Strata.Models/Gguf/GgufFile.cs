using System.IO.MemoryMappedFiles;
using Strata.Kernels.Quant;

namespace Strata.Models.Gguf;

/// <summary>
/// A GGUF file (versions 2 and 3) opened read-only: metadata and tensor directory parsed up front, tensor data
/// memory-mapped and never copied. Dispose it only after every view of its tensor data is gone.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const int DefaultAlignment = 32;
    private const int MaxDimensions = 4;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName = new(StringComparer.Ordinal);

    private GgufFile(string path)
    {
        Path = path;
        var length = new FileInfo(path).Length;
        if (length < 8)
            throw new GgufFormatException($"{path}: {length} bytes is too short to be a GGUF file");
        FileLength = length;
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
        try
        {
            Parse();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Path { get; }

    public long FileLength { get; }

    public uint Version { get; private set; }

    public int Alignment { get; private set; } = DefaultAlignment;

    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; private set; }

    public GgufMetadata Metadata { get; } = new();

    public IReadOnlyList<GgufTensorInfo> Tensors { get; private set; } = [];

    /// <summary>Opens and validates a GGUF file; any problem surfaces as a <see cref="GgufFormatException"/> or <see cref="FileNotFoundException"/>.</summary>
    public static GgufFile Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"model file not found: {path}", path);
        return new GgufFile(path);
    }

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    public GgufTensorInfo GetTensor(string name) =>
        FindTensor(name) ?? throw new GgufFormatException($"{Path}: tensor '{name}' not found");

    /// <summary>Pointer to the first byte of a tensor's data; valid until this file is disposed.</summary>
    public byte* TensorData(GgufTensorInfo tensor) => _base + DataOffset + (long)tensor.Offset;

    /// <summary>A span over <paramref name="count"/> rows of a tensor starting at <paramref name="firstRow"/>.</summary>
    public ReadOnlySpan<byte> TensorRows(GgufTensorInfo tensor, long firstRow, int count)
    {
        if (firstRow < 0 || count < 0 || firstRow + count > tensor.Rows)
            throw new ArgumentOutOfRangeException(nameof(firstRow), $"rows [{firstRow}, {firstRow + count}) outside tensor '{tensor.Name}' with {tensor.Rows} rows");
        return new ReadOnlySpan<byte>(TensorData(tensor) + firstRow * tensor.RowBytes, checked((int)(count * tensor.RowBytes)));
    }

    public void Dispose()
    {
        if (_view is not null && _base != null)
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }

    private void Parse()
    {
        var cursor = new GgufCursor(_base, FileLength);
        var magic = cursor.ReadUInt32();
        if (magic != Magic)
            throw new GgufFormatException($"{Path}: not a GGUF file (magic 0x{magic:X8} at offset 0, expected 'GGUF')");
        Version = cursor.ReadUInt32();
        if (Version == 1)
            throw new GgufFormatException($"{Path}: GGUF version 1 is not supported (it predates August 2023); re-convert the model with a current llama.cpp to get version 3");
        if (Version is not (2 or 3))
            throw new GgufFormatException(Version > 0xFFFF
                ? $"{Path}: big-endian GGUF (version field 0x{Version:X8}) is not supported"
                : $"{Path}: GGUF version {Version} is not supported (expected 2 or 3)");

        var tensorCount = cursor.ReadCount("tensor count", 24);
        var metadataCount = cursor.ReadCount("metadata count", 13);
        for (long i = 0; i < metadataCount; i++)
        {
            var key = cursor.ReadString();
            var type = (GgufValueType)cursor.ReadUInt32();
            Metadata.Add(key, GgufValue.Create(type, ReadValue(ref cursor, type, key)));
        }

        if (Metadata.TryGet("general.alignment", out var alignment))
        {
            var value = alignment.AsInt64("general.alignment");
            if (value <= 0 || value > 1 << 20 || (value & (value - 1)) != 0)
                throw new GgufFormatException($"{Path}: general.alignment {value} is not a power of two");
            Alignment = (int)value;
        }

        var tensors = new GgufTensorInfo[tensorCount];
        for (long i = 0; i < tensorCount; i++)
            tensors[i] = ReadTensorInfo(ref cursor);
        DataOffset = AlignUp(cursor.Position, Alignment);
        Tensors = tensors;
        foreach (var tensor in tensors)
            Validate(tensor);
    }

    private GgufTensorInfo ReadTensorInfo(ref GgufCursor cursor)
    {
        var at = cursor.Position;
        var name = cursor.ReadString();
        var dimensionCount = cursor.ReadUInt32();
        if (dimensionCount is 0 or > MaxDimensions)
            throw new GgufFormatException($"{Path}: tensor '{name}' at offset {at} has {dimensionCount} dimensions (1 to {MaxDimensions} allowed)");
        var dims = new long[dimensionCount];
        for (var d = 0; d < dims.Length; d++)
        {
            var n = cursor.ReadUInt64();
            if (n == 0 || n > long.MaxValue / 8)
                throw new GgufFormatException($"{Path}: tensor '{name}' has invalid dimension {d} = {n}");
            dims[d] = (long)n;
        }
        var type = (TensorType)cursor.ReadUInt32();
        var offset = cursor.ReadUInt64();
        if (!TensorTypeInfo.IsSupported(type))
            throw new GgufFormatException($"{Path}: tensor '{name}' has type {TensorTypeInfo.Describe(type)}, which Strata does not support");
        if (!_tensorsByName.TryAdd(name, null!))
            throw new GgufFormatException($"{Path}: duplicate tensor name '{name}'");
        var tensor = new GgufTensorInfo(name, dims, type, offset);
        _tensorsByName[name] = tensor;
        return tensor;
    }

    private void Validate(GgufTensorInfo tensor)
    {
        if (tensor.RowElements % TensorTypeInfo.BlockElements(tensor.Type) != 0)
            throw new GgufFormatException($"{Path}: tensor '{tensor.Name}' rows of {tensor.RowElements} elements are not whole {tensor.Type} blocks");
        if (tensor.Offset % (ulong)Alignment != 0)
            throw new GgufFormatException($"{Path}: tensor '{tensor.Name}' data offset {tensor.Offset} is not aligned to {Alignment}");
        long size;
        try
        {
            size = tensor.ByteSize;
        }
        catch (OverflowException)
        {
            throw new GgufFormatException($"{Path}: tensor '{tensor.Name}' shape {tensor.Shape} overflows");
        }
        var end = DataOffset + (long)tensor.Offset + size;
        if (tensor.Offset > (ulong)FileLength || end > FileLength)
            throw new GgufFormatException($"{Path}: tensor '{tensor.Name}' data [{DataOffset + (long)tensor.Offset}, {end}) extends past the end of the file ({FileLength} bytes): truncated file");
    }

    private object ReadValue(ref GgufCursor cursor, GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 => cursor.ReadByte(),
        GgufValueType.Int8 => (sbyte)cursor.ReadByte(),
        GgufValueType.UInt16 => cursor.ReadUInt16(),
        GgufValueType.Int16 => (short)cursor.ReadUInt16(),
        GgufValueType.UInt32 => cursor.ReadUInt32(),
        GgufValueType.Int32 => (int)cursor.ReadUInt32(),
        GgufValueType.Float32 => cursor.ReadSingle(),
        GgufValueType.Bool => cursor.ReadByte() != 0,
        GgufValueType.String => cursor.ReadString(),
        GgufValueType.UInt64 => cursor.ReadUInt64(),
        GgufValueType.Int64 => (long)cursor.ReadUInt64(),
        GgufValueType.Float64 => cursor.ReadDouble(),
        GgufValueType.Array => ReadArray(ref cursor, key),
        _ => throw new GgufFormatException($"{Path}: metadata '{key}' has unknown value type {(uint)type} at offset {cursor.Position - 4}"),
    };

    private GgufArray ReadArray(ref GgufCursor cursor, string key)
    {
        var elementType = (GgufValueType)cursor.ReadUInt32();
        var count = (int)Math.Min(int.MaxValue, cursor.ReadCount($"array '{key}'", MinEncodedSize(elementType)));
        Array items = elementType switch
        {
            GgufValueType.UInt8 => Fill<byte>(ref cursor, count, (ref GgufCursor c) => c.ReadByte()),
            GgufValueType.Int8 => Fill<sbyte>(ref cursor, count, (ref GgufCursor c) => (sbyte)c.ReadByte()),
            GgufValueType.UInt16 => Fill<ushort>(ref cursor, count, (ref GgufCursor c) => c.ReadUInt16()),
            GgufValueType.Int16 => Fill<short>(ref cursor, count, (ref GgufCursor c) => (short)c.ReadUInt16()),
            GgufValueType.UInt32 => Fill<uint>(ref cursor, count, (ref GgufCursor c) => c.ReadUInt32()),
            GgufValueType.Int32 => Fill<int>(ref cursor, count, (ref GgufCursor c) => (int)c.ReadUInt32()),
            GgufValueType.Float32 => Fill<float>(ref cursor, count, (ref GgufCursor c) => c.ReadSingle()),
            GgufValueType.Bool => Fill<bool>(ref cursor, count, (ref GgufCursor c) => c.ReadByte() != 0),
            GgufValueType.String => Fill<string>(ref cursor, count, (ref GgufCursor c) => c.ReadString()),
            GgufValueType.UInt64 => Fill<ulong>(ref cursor, count, (ref GgufCursor c) => c.ReadUInt64()),
            GgufValueType.Int64 => Fill<long>(ref cursor, count, (ref GgufCursor c) => (long)c.ReadUInt64()),
            GgufValueType.Float64 => Fill<double>(ref cursor, count, (ref GgufCursor c) => c.ReadDouble()),
            GgufValueType.Array => Fill<GgufArray>(ref cursor, count, (ref GgufCursor c) => ReadArray(ref c, key)),
            _ => throw new GgufFormatException($"{Path}: array '{key}' has unknown element type {(uint)elementType}"),
        };
        return new GgufArray(elementType, items);
    }

    private delegate T ReadOne<out T>(ref GgufCursor cursor);

    private static T[] Fill<T>(ref GgufCursor cursor, int count, ReadOne<T> read)
    {
        var items = new T[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = read(ref cursor);
        return items;
    }

    private static int MinEncodedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.Array => 12,
        _ => 8,
    };

    internal static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
