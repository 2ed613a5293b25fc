namespace Strata.Kernels.Tests;

/// <summary>What the kernel reports about the CPU, read independently of the code under test.</summary>
internal static class CpuInfo
{
    /// <summary>Whether <c>/proc/cpuinfo</c>'s flags line lists <paramref name="flag"/> (e.g. <c>avx512_vnni</c>).</summary>
    public static bool Reports(string flag) =>
        File.ReadLines("/proc/cpuinfo").First(line => line.StartsWith("flags", StringComparison.Ordinal)).Split(' ').Contains(flag);
}
