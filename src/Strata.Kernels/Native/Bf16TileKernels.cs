using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Strata.Kernels.Native;

/// <summary>
/// The vdpbf16ps tile kernels, assembled at start-up with Iced where the CPU has AVX512_BF16: .NET 10 has no intrinsic
/// for the instruction (System.Runtime.Intrinsics stops at AVX-VNNI), and it does 32 multiply-adds where an f32 FMA
/// does 16. A kernel multiplies <c>groups</c> row groups (16 rows each, bf16 pairs side by side: see
/// <see cref="MatMul.BF16PairsKernel"/>) by a tile of <c>tokens</c> tokens whose bf16 pairs are interleaved
/// ([pair][token], four bytes each), with one accumulator per group and token whose lane i is row i: each pair is
/// added to it by one vdpbf16ps, the odd product first, in pair order. Everything around the kernels stays managed.
/// </summary>
internal static unsafe class Bf16TileKernels
{
    /// <summary>Most tokens in a tile (the interleave of the activations).</summary>
    public const int MaxTokens = 12;

    /// <summary>Most row groups in one call: accumulators (groups × tokens) take zmm0-23, weights zmm24-31.</summary>
    public const int MaxGroups = 4;

    private const int Accumulators = 24;
    private const int WeightRegisters = 8;
    private const int PairBytes = 64;
    private const int Unroll = 4;

    /// <summary>How far ahead of its loads each weight stream is prefetched (decode streams the weights from DRAM).</summary>
    private const int PrefetchBytes = 2048;

    /// <summary>Cache lines of the caller's prefetch stream fetched per loop iteration (four pairs): one group's worth a call.</summary>
    private const int AheadLines = Unroll;

    private static readonly nint[] Entries = Assemble();

    /// <summary>Whether the kernels run here: the CPU has AVX512_BF16 and the OS let the process map code.</summary>
    public static bool IsSupported => Entries.Length > 0;

    /// <summary>Most row groups a call may take with <paramref name="tokens"/> tokens.</summary>
    public static int GroupsFor(int tokens) => Math.Min(MaxGroups, Accumulators / tokens);

    /// <summary>
    /// The kernel for <paramref name="groups"/> × <paramref name="tokens"/>: (weights, bytes between groups, the tile's
    /// pairs, pair count, results, ahead) → results[token][group][16 rows]. Alongside, it prefetches one group's
    /// worth of bytes from <c>ahead</c> on (four lines per four pairs), so the caller can spread the next groups' fetch
    /// from memory over the tiles that reuse these from cache.
    /// </summary>
    public static delegate* unmanaged<byte*, long, uint*, long, float*, byte*, void> For(int groups, int tokens)
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("this CPU has no AVX512_BF16, or the OS refused to map code");
        if (tokens is < 1 or > MaxTokens || groups < 1 || groups > GroupsFor(tokens))
            throw new ArgumentOutOfRangeException(nameof(groups), $"{groups} groups × {tokens} tokens");
        return (delegate* unmanaged<byte*, long, uint*, long, float*, byte*, void>)Entries[Index(groups, tokens)];
    }

    private static int Index(int groups, int tokens) => (tokens - 1) * MaxGroups + groups - 1;

    private static nint[] Assemble()
    {
        if (!CpuFeatures.Avx512Bf16 || !ExecutableMemory.IsSupported)
            return [];
        return KernelTable.Assemble(MaxTokens * MaxGroups, i =>
        {
            int tokens = i / MaxGroups + 1, groups = i % MaxGroups + 1;
            return groups <= GroupsFor(tokens) ? Emit(groups, tokens) : null;
        });
    }

    /// <summary>
    /// System V arguments: rdi weights of the first group, rsi bytes between groups, rdx the tile's pairs, rcx pairs,
    /// r8 results, r9 the prefetch stream. Uses only caller-saved registers.
    /// </summary>
    internal static Assembler Emit(int groups, int tokens)
    {
        var a = new Assembler(64);
        var bases = new[] { rdi, r10, r11, rsi };
        for (var i = 0; i < groups * tokens; i++)
            a.vpxord(Zmm(i), Zmm(i), Zmm(i));
        if (groups > 1)
            a.lea(r10, rdi + rsi);
        if (groups > 2)
            a.lea(r11, rdi + rsi * 2);
        if (groups > 3)
            a.lea(rsi, r11 + rsi);

        var tail = a.CreateLabel();
        var tailLoop = a.CreateLabel();
        var done = a.CreateLabel();
        var main = a.CreateLabel();
        a.mov(rax, rcx);
        a.shr(rax, 2);
        a.jz(tail);
        a.Label(ref main);
        for (var u = 0; u < Unroll; u++)
            Step(a, bases, groups, tokens, u);
        for (var g = 0; g < groups; g++)
        {
            for (var u = 0; u < Unroll; u++)
                a.prefetcht0(__[bases[g] + (PrefetchBytes + u * PairBytes)]);
        }
        for (var line = 0; line < AheadLines; line++)
            a.prefetcht0(__[r9 + line * 64]);
        a.add(r9, AheadLines * 64);
        Advance(a, bases, groups, tokens, Unroll);
        a.dec(rax);
        a.jnz(main);

        a.Label(ref tail);
        a.and(rcx, Unroll - 1);
        a.jz(done);
        a.Label(ref tailLoop);
        Step(a, bases, groups, tokens, 0);
        Advance(a, bases, groups, tokens, 1);
        a.dec(rcx);
        a.jnz(tailLoop);

        a.Label(ref done);
        for (var i = 0; i < groups * tokens; i++)
            a.vmovups(__zmmword_ptr[r8 + i * 64], Zmm(i));
        a.vzeroupper();
        a.ret();
        return a;
    }

    /// <summary>Pair u of the step: load each group's 16 row pairs, then one vdpbf16ps per token and group.</summary>
    private static void Step(Assembler a, AssemblerRegister64[] bases, int groups, int tokens, int u)
    {
        for (var g = 0; g < groups; g++)
            a.vmovups(Weights(u, g, groups), __zmmword_ptr[bases[g] + u * PairBytes]);
        for (var t = 0; t < tokens; t++)
        {
            for (var g = 0; g < groups; g++)
                a.vdpbf16ps(Zmm(t * groups + g), Weights(u, g, groups), __dword_bcst[rdx + 4 * (u * tokens + t)]);
        }
    }

    private static void Advance(Assembler a, AssemblerRegister64[] bases, int groups, int tokens, int pairs)
    {
        for (var g = 0; g < groups; g++)
            a.add(bases[g], pairs * PairBytes);
        a.add(rdx, pairs * tokens * 4);
    }

    private static AssemblerRegisterZMM Weights(int u, int g, int groups) => Zmm(Accumulators + (u * groups + g) % WeightRegisters);

    private static AssemblerRegisterZMM Zmm(int i) => new(Register.ZMM0 + i);
}
