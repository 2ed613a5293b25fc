namespace Strata.KvCache;

/// <summary>Element type of cached keys and values.</summary>
public enum KvDataType
{
    F16,
    F32,

    /// <summary>ggml's Q8_0 blocks (fp16 scale and 32 int8), as llama.cpp's <c>-ctk/-ctv q8_0</c>.</summary>
    Q8_0,

    /// <summary>ggml's Q4_0 blocks (fp16 scale and 32 nibbles), as llama.cpp's <c>-ctk/-ctv q4_0</c>.</summary>
    Q4_0,
}
