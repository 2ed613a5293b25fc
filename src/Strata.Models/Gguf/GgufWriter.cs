using System.Text;
using Strata.Kernels.Quant;

namespace Strata.Models.Gguf;

/// <summary>
/// Writes a GGUF version 3 file. Tensor data is produced by callbacks at write time, so a multi-gigabyte
/// model never has to be held in memory.
/// </summary>
public sealed class GgufWriter
{
    private readonly GgufMetadata _metadata = new();
    private readonly List<PendingTensor> _tensors = [];

    public int Alignment { get; init; } = GgufFile.DefaultAlignment;

    public GgufWriter Add(string key, GgufValue value)
    {
        _metadata.Add(key, value);
        return this;
    }

    /// <summary>Adds a tensor; <paramref name="dimensions"/> are in ggml order and <paramref name="writeData"/> must write exactly its bytes.</summary>
    public GgufWriter AddTensor(string name, TensorType type, long[] dimensions, Action<Stream> writeData)
    {
        var info = new GgufTensorInfo(name, dimensions, type, 0);
        _tensors.Add(new PendingTensor(info, info.ByteSize, writeData));
        return this;
    }

    public GgufWriter AddTensor(string name, TensorType type, long[] dimensions, byte[] data) =>
        AddTensor(name, type, dimensions, s => s.Write(data));

    public void Write(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Write(file);
    }

    public void Write(Stream output)
    {
        var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        w.Write(GgufFile.Magic);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        var alignmentKey = Alignment != GgufFile.DefaultAlignment && !_metadata.Contains("general.alignment");
        w.Write((ulong)(_metadata.Count + (alignmentKey ? 1 : 0)));
        foreach (var (key, value) in _metadata.Entries)
            WriteEntry(w, key, value);
        if (alignmentKey)
            WriteEntry(w, "general.alignment", GgufValue.Of((uint)Alignment));

        ulong offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(w, t.Info.Name);
            w.Write((uint)t.Info.Dimensions.Count);
            foreach (var d in t.Info.Dimensions)
                w.Write((ulong)d);
            w.Write((uint)t.Info.Type);
            w.Write(offset);
            offset += (ulong)GgufFile.AlignUp(t.Bytes, Alignment);
        }
        w.Flush();
        Pad(output, w);

        foreach (var t in _tensors)
        {
            var start = output.Position;
            t.WriteData(output);
            if (output.Position - start != t.Bytes)
                throw new InvalidOperationException($"tensor '{t.Info.Name}' wrote {output.Position - start} bytes, expected {t.Bytes}");
            Pad(output, w);
        }
    }

    private void Pad(Stream output, BinaryWriter w)
    {
        w.Flush();
        var padding = GgufFile.AlignUp(output.Position, Alignment) - output.Position;
        for (var i = 0; i < padding; i++)
            output.WriteByte(0);
    }

    private static void WriteEntry(BinaryWriter w, string key, GgufValue value)
    {
        WriteString(w, key);
        w.Write((uint)value.Type);
        WriteValue(w, value.Type, value.Raw);
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object raw)
    {
        switch (type)
        {
            case GgufValueType.UInt8: w.Write((byte)raw); break;
            case GgufValueType.Int8: w.Write((sbyte)raw); break;
            case GgufValueType.UInt16: w.Write((ushort)raw); break;
            case GgufValueType.Int16: w.Write((short)raw); break;
            case GgufValueType.UInt32: w.Write((uint)raw); break;
            case GgufValueType.Int32: w.Write((int)raw); break;
            case GgufValueType.Float32: w.Write((float)raw); break;
            case GgufValueType.Bool: w.Write((bool)raw ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(w, (string)raw); break;
            case GgufValueType.UInt64: w.Write((ulong)raw); break;
            case GgufValueType.Int64: w.Write((long)raw); break;
            case GgufValueType.Float64: w.Write((double)raw); break;
            case GgufValueType.Array:
                var array = (GgufArray)raw;
                w.Write((uint)array.ElementType);
                w.Write((ulong)array.Count);
                foreach (var item in array.Items)
                    WriteValue(w, array.ElementType, item!);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "unknown GGUF value type");
        }
    }

    private sealed record PendingTensor(GgufTensorInfo Info, long Bytes, Action<Stream> WriteData);
}
