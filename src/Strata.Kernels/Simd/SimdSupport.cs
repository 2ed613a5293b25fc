using System.Runtime.Intrinsics.X86;

namespace Strata.Kernels.Simd;

/// <summary>
/// The SIMD level the process uses, chosen once at start-up: the best the CPU supports, or the one named by the
/// <c>STRATA_SIMD</c> environment variable (<c>avx512</c>, <c>avx2</c> or <c>scalar</c>) to force a slower path.
/// </summary>
public static class SimdSupport
{
    public const string EnvironmentVariable = "STRATA_SIMD";

    // Initialised before Level, which defaults to it.
    /// <summary>The widest level this CPU runs.</summary>
    public static SimdLevel Best { get; } =
        IsSupported(SimdLevel.Avx512) ? SimdLevel.Avx512 : IsSupported(SimdLevel.Avx2) ? SimdLevel.Avx2 : SimdLevel.Scalar;

    /// <summary>The level kernels use unless a caller passes another.</summary>
    public static SimdLevel Level { get; } = FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Scalar => true,
        SimdLevel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdLevel.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>Every level this CPU runs, narrowest first.</summary>
    public static IEnumerable<SimdLevel> Supported => Enum.GetValues<SimdLevel>().Where(IsSupported);

    /// <summary>The level an environment setting asks for: empty means <see cref="Best"/>.</summary>
    public static SimdLevel FromEnvironment(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
            return Best;
        if (!Enum.TryParse<SimdLevel>(setting.Trim(), ignoreCase: true, out var level) || !Enum.IsDefined(level))
            throw new ArgumentException($"{EnvironmentVariable}={setting}: expected avx512, avx2 or scalar");
        if (!IsSupported(level))
            throw new PlatformNotSupportedException($"{EnvironmentVariable}={setting}: this CPU does not support {level}");
        return level;
    }
}
