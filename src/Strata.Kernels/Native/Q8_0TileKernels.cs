using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Strata.Kernels.Native;

/// <summary>
/// The 512-bit vpdpbusd tile kernels for Q8_0, assembled at start-up with Iced where the CPU has AVX512_VNNI (.NET 10
/// exposes only the 256-bit AVX-VNNI form). A kernel multiplies <c>groups</c> row groups in the lane layout of
/// <see cref="MatMul.Q8_0LanesKernel"/> (per block, lane l of the 16 rows side by side: quants 4l..4l+3 of each row,
/// offset by 128) by <c>tokens</c> tokens. One vpdpbusd takes lane l of all 16 rows against the token's four quants
/// broadcast and adds them to the lane's start, −128 × the sum of those four quants, so each integer sum is exactly the
/// sign trick's (Σ (w + 128)·a − 128·Σ a = Σ w·a). Then, as ggml's eight-lane order asks, one float FMA per lane and
/// block with d = d_w·d_a, and at the end hsum_float_8 across the eight lane accumulators, 16 rows at once.
/// </summary>
internal static unsafe class Q8_0TileKernels
{
    /// <summary>Most group × token products in one call: eight lane accumulators each take zmm0-23.</summary>
    public const int MaxTiles = 3;

    /// <summary>Cache lines of each group's prefetch stream fetched per block (a block and its scales are 544 bytes: 8.5 lines).</summary>
    public const int AheadLines = 9;

    private const int Lanes = 8;
    private const int BlockBytes = 512;
    private const int ScaleBytes = 32;
    private const int LineBytes = 64;

    /// <summary>
    /// How far ahead each group's scale stream (after its quants, one line every two blocks) is prefetched by the tiles:
    /// the quants' stream reaches them only at the group's end.
    /// </summary>
    private const int ScaleAheadBlocks = 8;

    private static readonly nint[] Entries = Assemble();

    /// <summary>Whether the kernels run here: the CPU has AVX512_VNNI and the OS let the process map code.</summary>
    public static bool IsSupported => Entries.Length > 0;

    /// <summary>The tile for one row group × <paramref name="tokens"/> (1 to <see cref="MaxTiles"/>), prefetching the <see cref="Q8_0TileCall.Ahead"/> stream.</summary>
    public static delegate* unmanaged<Q8_0TileCall*, void> Tile(int tokens)
    {
        if (tokens < 1 || tokens > MaxTiles)
            throw new ArgumentOutOfRangeException(nameof(tokens), $"{tokens} tokens");
        return Entry(tokens - 1);
    }

    /// <summary>
    /// The decode GEMV over <paramref name="groups"/> (1 to <see cref="MaxTiles"/>) row groups and one token, without
    /// software prefetches (it ignores <see cref="Q8_0TileCall.Ahead"/>). Its groups stream from
    /// memory front to back and the hardware prefetchers follow them; the ten prefetches a block and group (4 KiB
    /// ahead, and its scale stream) only slowed them down: in a harness of the 1B model's 113 GEMVs they read at
    /// 0.80 of the bandwidth probe without them against 0.66 with them (four sittings, loaded and quiet).
    /// </summary>
    public static delegate* unmanaged<Q8_0TileCall*, void> Gemv(int groups)
    {
        if (groups < 1 || groups > MaxTiles)
            throw new ArgumentOutOfRangeException(nameof(groups), $"{groups} groups");
        return Entry(MaxTiles + groups - 1);
    }

    private static delegate* unmanaged<Q8_0TileCall*, void> Entry(int index)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("this CPU has no AVX512_VNNI, or the OS refused to map code");
        return (delegate* unmanaged<Q8_0TileCall*, void>)Entries[index];
    }

    /// <summary>The tiles by token count, then the GEMVs by group count.</summary>
    private static nint[] Assemble()
    {
        if (!CpuFeatures.Avx512Vnni || !ExecutableMemory.IsSupported)
            return [];
        return KernelTable.Assemble(2 * MaxTiles, i =>
            i < MaxTiles ? Emit(1, i + 1, prefetch: true) : Emit(i - MaxTiles + 1, 1, prefetch: false));
    }

    /// <summary>
    /// rdi the <see cref="Q8_0TileCall"/>. In the loop: rsi the first group's block, rax its scales, rdx the group
    /// stride, r8/r9 the first token's line and the token stride, r10/r11 its scale and stride, rbx the prefetch stream,
    /// rcx the blocks left. zmm0-23 the accumulators ([group][token][lane]), then d per group and token, the groups'
    /// widened scales, one weight and one sum register (renaming removes their false dependencies). With
    /// <paramref name="prefetch"/>, each block also prefetches each group's <see cref="Q8_0TileCall.Ahead"/> stream and
    /// its scale stream.
    /// </summary>
    internal static Assembler Emit(int groups, int tokens, bool prefetch)
    {
        var a = new Assembler(64);
        var tiles = groups * tokens;
        var d = Lanes * tiles;
        var scales = d + tiles;
        var weight = Zmm(30);
        var sum = Zmm(31);

        a.push(rbx);
        a.mov(rsi, __qword_ptr[rdi + 0]);
        a.mov(rdx, __qword_ptr[rdi + 8]);
        a.mov(rcx, __qword_ptr[rdi + 16]);
        a.mov(r8, __qword_ptr[rdi + 24]);
        a.mov(r9, __qword_ptr[rdi + 32]);
        a.mov(r10, __qword_ptr[rdi + 40]);
        a.mov(r11, __qword_ptr[rdi + 48]);
        a.mov(rbx, __qword_ptr[rdi + 64]);
        a.mov(rax, rcx);
        a.shl(rax, 9);
        a.add(rax, rsi);
        for (var i = 0; i < Lanes * tiles; i++)
            a.vpxord(Zmm(i), Zmm(i), Zmm(i));

        var loop = a.CreateLabel();
        a.Label(ref loop);
        for (var g = 0; g < groups; g++)
            a.vcvtph2ps(Zmm(scales + g), __ymmword_ptr[Strided(rax, rdx, g)]);
        for (var g = 0; g < groups; g++)
        {
            for (var t = 0; t < tokens; t++)
                a.vmulps(Zmm(d + g * tokens + t), Zmm(scales + g), __dword_bcst[Strided(r10, r11, t)]);
        }
        for (var l = 0; l < Lanes; l++)
        {
            for (var g = 0; g < groups; g++)
            {
                a.vmovdqu32(weight, __zmmword_ptr[Strided(rsi, rdx, g) + LineBytes * l]);
                for (var t = 0; t < tokens; t++)
                {
                    a.vpbroadcastd(sum, __dword_ptr[Strided(r8, r9, t) + (32 + 4 * l)]);
                    a.vpdpbusd(sum, weight, __dword_bcst[Strided(r8, r9, t) + 4 * l]);
                    a.vcvtdq2ps(sum, sum);
                    a.vfmadd231ps(Zmm((g * tokens + t) * Lanes + l), Zmm(d + g * tokens + t), sum);
                }
            }
        }
        for (var g = 0; g < groups && prefetch; g++)
        {
            for (var line = 0; line < AheadLines; line++)
                a.prefetcht0(__[Strided(rbx, rdx, g) + LineBytes * line]);
            a.prefetcht0(__[Strided(rax, rdx, g) + ScaleBytes * ScaleAheadBlocks]);
        }
        a.add(rsi, BlockBytes);
        a.add(rax, ScaleBytes);
        a.add(r8, LineBytes);
        a.add(r10, 4);
        if (prefetch)
            a.add(rbx, AheadLines * LineBytes);
        a.dec(rcx);
        a.jnz(loop);

        // hsum_float_8 of each group and token, all 16 rows at once: ((v4 + v0) + (v6 + v2)) + ((v5 + v1) + (v7 + v3)).
        a.mov(rax, __qword_ptr[rdi + 56]);
        for (var g = 0; g < groups; g++)
        {
            for (var t = 0; t < tokens; t++)
            {
                var v = (g * tokens + t) * Lanes;
                a.vaddps(Zmm(v), Zmm(v + 4), Zmm(v));
                a.vaddps(Zmm(v + 2), Zmm(v + 6), Zmm(v + 2));
                a.vaddps(Zmm(v + 1), Zmm(v + 5), Zmm(v + 1));
                a.vaddps(Zmm(v + 3), Zmm(v + 7), Zmm(v + 3));
                a.vaddps(Zmm(v), Zmm(v), Zmm(v + 2));
                a.vaddps(Zmm(v + 1), Zmm(v + 1), Zmm(v + 3));
                a.vaddps(Zmm(v), Zmm(v), Zmm(v + 1));
                a.vmovups(__zmmword_ptr[rax + (t * groups + g) * 64], Zmm(v));
            }
        }
        a.pop(rbx);
        a.vzeroupper();
        a.ret();
        return a;
    }

    /// <summary>Item <paramref name="i"/> (0-2) of a stream at <paramref name="stride"/> bytes from <paramref name="first"/>.</summary>
    private static AssemblerMemoryOperand Strided(AssemblerRegister64 first, AssemblerRegister64 stride, int i) => i switch
    {
        0 => first + 0,
        1 => first + stride,
        _ => first + stride * 2,
    };

    private static AssemblerRegisterZMM Zmm(int i) => new(Register.ZMM0 + i);
}
