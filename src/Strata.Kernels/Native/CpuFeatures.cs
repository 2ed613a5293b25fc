using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Native;

/// <summary>CPU features .NET 10 has no <c>IsSupported</c> for, read from CPUID.</summary>
internal static class CpuFeatures
{
    /// <summary>AVX512_BF16 (vdpbf16ps, vcvtne2ps2bf16): CPUID leaf 7 sub-leaf 1, EAX bit 5, on a CPU with AVX-512F.</summary>
    public static bool Avx512Bf16 { get; } = X86Base.IsSupported && Avx512F.IsSupported && (X86Base.CpuId(7, 0).Eax >= 1)
        && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;

    /// <summary>AVX512_VNNI (vpdpbusd on zmm): CPUID leaf 7 sub-leaf 0, ECX bit 11, on a CPU with AVX-512F.</summary>
    public static bool Avx512Vnni { get; } = X86Base.IsSupported && Avx512F.IsSupported && (X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
}
