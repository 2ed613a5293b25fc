namespace Strata.KvCache;

/// <summary>
/// Shape of the paged KV memory and of a block's payload as the tiers move it: for each layer, keys then values, each
/// [KvHeadCount, BlockSize] rows of one head at one position (HeadDim elements of <see cref="DataType"/>, or for a
/// quantized cache that head's ggml blocks of 32). With <see cref="KeysOnly"/> a block holds one tensor per layer whose
/// rows serve as keys and, in part, as values: multi-head latent attention caches one compressed latent (plus a rotary
/// key) per token, from which every head's keys and values are derived.
/// </summary>
public sealed record KvLayout(int LayerCount, int KvHeadCount, int HeadDim, int BlockSize, KvDataType DataType, bool KeysOnly = false)
{
    /// <summary>Elements in one ggml block of a quantized cache.</summary>
    public const int QuantBlock = 32;

    /// <summary>Whether keys and values are stored in quantized blocks of 32 (each head's row its own blocks).</summary>
    public bool IsQuantized => DataType is KvDataType.Q8_0 or KvDataType.Q4_0;

    /// <summary>Bytes of one element of a float cache (F16 or F32); quantized caches have none.</summary>
    public int ElementBytes => DataType switch
    {
        KvDataType.F16 => 2,
        KvDataType.F32 => 4,
        _ => throw new InvalidOperationException($"a {DataType} cache stores blocks of 32, not elements"),
    };

    /// <summary>
    /// The Hadamard rotation llama.cpp gives queries and keys before a quantized cache stores them: chunks of the largest
    /// power of two (at least 64) that divides the head size; 0 (none) for float caches and heads not a multiple of 64.
    /// </summary>
    public int KeyRotation
    {
        get
        {
            if (!IsQuantized || HeadDim % 64 != 0)
                return 0;
            var n = 64;
            while (HeadDim % (2 * n) == 0)
                n *= 2;
            return n;
        }
    }

    /// <summary>llama.cpp's rotation of values (and, undoing it, of the attention output): chunks of 64, or 0.</summary>
    public int ValueRotation => IsQuantized && HeadDim % 64 == 0 ? 64 : 0;

    /// <summary>Tensors per layer in a block: K and V, or the keys alone.</summary>
    public int TensorsPerLayer => KeysOnly ? 1 : 2;

    /// <summary>Elements of K (or V) in one block of one layer: [KvHeadCount, BlockSize, HeadDim].</summary>
    public int BlockElements => KvHeadCount * BlockSize * HeadDim;

    /// <summary>Bytes of one head's keys (or values) at one position.</summary>
    public int RowBytes => !IsQuantized
        ? HeadDim * ElementBytes
        : HeadDim % QuantBlock == 0
            ? HeadDim / QuantBlock * QuantBlockBytes
            : throw new ArgumentException($"a {DataType.ToString().ToLowerInvariant()} KV cache quantizes each head in blocks of 32, but this model's heads are {HeadDim} wide");

    /// <summary>Bytes of K (or V) in one block of one layer: [KvHeadCount, BlockSize] rows.</summary>
    public int BlockBytesPerLayer => KvHeadCount * BlockSize * RowBytes;

    /// <summary>Bytes of one block across all layers, K and V (or the keys alone).</summary>
    public long BlockBytes => (long)TensorsPerLayer * LayerCount * BlockBytesPerLayer;

    /// <summary>Bytes one token position takes in the cache, across all layers.</summary>
    public long BytesPerToken => (long)TensorsPerLayer * LayerCount * KvHeadCount * RowBytes;

    // ggml's Q8_0 block: an fp16 scale and 32 int8; Q4_0: an fp16 scale and 32 nibbles.
    private int QuantBlockBytes => DataType == KvDataType.Q8_0 ? 2 + 32 : 2 + 16;
}
