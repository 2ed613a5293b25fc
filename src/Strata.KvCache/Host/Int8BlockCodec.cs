using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Strata.KvCache.Host;

/// <summary>
/// Stores a block's keys and values as int8 with a half-precision scale per group (symmetric, absmax/127). Keys are
/// grouped per channel across the block's tokens and values per token across channels (as KIVI does): key outliers
/// live in a few channels, so per-channel scales keep the other channels precise. About 56% of the bytes of F16.
/// Encoded layout: for each layer, key scales, key quants, value scales, value quants. A keys-only block (a latent
/// cache, whose latent is both key and value) is grouped like keys.
/// </summary>
internal static class Int8BlockCodec
{
    public static int EncodedBytes(KvLayout shape) =>
        shape.LayerCount * (shape.TensorsPerLayer * shape.BlockElements
            + (KeyGroups(shape).Count + (shape.KeysOnly ? 0 : ValueGroups(shape).Count)) * sizeof(ushort));

    public static void Encode(ReadOnlySpan<byte> payload, KvLayout shape, Span<byte> encoded)
    {
        var values = Widen(payload, shape);
        var offset = 0;
        for (var tensor = 0; tensor < shape.TensorsPerLayer * shape.LayerCount; tensor++)
        {
            var groups = GroupsOf(shape, tensor);
            var scales = encoded.Slice(offset, groups.Count * sizeof(ushort));
            var quants = MemoryMarshal.Cast<byte, sbyte>(encoded.Slice(offset + scales.Length, shape.BlockElements));
            offset += scales.Length + quants.Length;
            var tensorValues = values.AsSpan(tensor * shape.BlockElements, shape.BlockElements);
            for (var g = 0; g < groups.Count; g++)
            {
                var max = 0f;
                for (var i = 0; i < groups.Length; i++)
                    max = MathF.Max(max, MathF.Abs(tensorValues[groups.Index(g, i)]));
                var scale = (Half)(max / 127f);
                BinaryPrimitives.WriteHalfLittleEndian(scales[(2 * g)..], scale);
                var inverse = (float)scale > 0 ? 1f / (float)scale : 0f;
                for (var i = 0; i < groups.Length; i++)
                {
                    var index = groups.Index(g, i);
                    quants[index] = (sbyte)Math.Clamp(MathF.Round(tensorValues[index] * inverse), -127, 127);
                }
            }
        }
    }

    public static void Decode(ReadOnlySpan<byte> encoded, KvLayout shape, Span<byte> payload)
    {
        var offset = 0;
        for (var tensor = 0; tensor < shape.TensorsPerLayer * shape.LayerCount; tensor++)
        {
            var groups = GroupsOf(shape, tensor);
            var scales = encoded.Slice(offset, groups.Count * sizeof(ushort));
            var quants = MemoryMarshal.Cast<byte, sbyte>(encoded.Slice(offset + scales.Length, shape.BlockElements));
            offset += scales.Length + quants.Length;
            for (var g = 0; g < groups.Count; g++)
            {
                var scale = (float)BinaryPrimitives.ReadHalfLittleEndian(scales[(2 * g)..]);
                for (var i = 0; i < groups.Length; i++)
                {
                    var index = groups.Index(g, i);
                    Store(payload, shape, tensor * shape.BlockElements + index, quants[index] * scale);
                }
            }
        }
    }

    /// <summary>The payload's tensors are, layer by layer, keys then values (or keys alone).</summary>
    private static Groups GroupsOf(KvLayout shape, int tensor) =>
        tensor % shape.TensorsPerLayer == 0 ? KeyGroups(shape) : ValueGroups(shape);

    /// <summary>Key groups: one channel of one head across the block's tokens.</summary>
    private static Groups KeyGroups(KvLayout s) => new(s, Keys: true);

    /// <summary>Value groups: one token of one head across its channels.</summary>
    private static Groups ValueGroups(KvLayout s) => new(s, Keys: false);

    /// <summary>The groups sharing a scale within one [kvHeads, blockSize, headDim] tensor.</summary>
    private readonly record struct Groups(KvLayout Shape, bool Keys)
    {
        public int Count => Shape.KvHeadCount * (Keys ? Shape.HeadDim : Shape.BlockSize);

        public int Length => Keys ? Shape.BlockSize : Shape.HeadDim;

        /// <summary>Where the i-th value of group g sits in the tensor.</summary>
        public int Index(int g, int i) => Keys
            ? g / Shape.HeadDim * Shape.BlockSize * Shape.HeadDim + i * Shape.HeadDim + g % Shape.HeadDim
            : g * Shape.HeadDim + i;
    }

    private static float[] Widen(ReadOnlySpan<byte> payload, KvLayout shape)
    {
        var values = new float[payload.Length / shape.ElementBytes];
        if (shape.ElementBytes == 2)
        {
            var halves = MemoryMarshal.Cast<byte, Half>(payload);
            for (var i = 0; i < values.Length; i++)
                values[i] = (float)halves[i];
        }
        else
        {
            MemoryMarshal.Cast<byte, float>(payload).CopyTo(values);
        }
        return values;
    }

    private static void Store(Span<byte> payload, KvLayout shape, int index, float value)
    {
        if (shape.ElementBytes == 2)
            MemoryMarshal.Cast<byte, Half>(payload)[index] = (Half)value;
        else
            MemoryMarshal.Cast<byte, float>(payload)[index] = value;
    }
}
