using System.Globalization;
using Strata.Kernels.Memory;

namespace Strata.Kernels.Tests.Memory;

public sealed unsafe class NativeBufferTests
{
    [Fact]
    public void HugePages_AlignsTo2MiB_ZeroesAndIsEligibleForHugePages()
    {
        const long Bytes = 3L << 20;
        using var buffer = new NativeBuffer<byte>(Bytes, hugePages: true);

        Assert.Equal(0, (long)buffer.Pointer % HugePages.PageBytes);
        Assert.True(buffer.Span.IndexOfAnyExcept((byte)0) < 0);
        if (OperatingSystem.IsLinux() && TransparentHugePagesAvailable())
            Assert.True(ThpEligible((ulong)buffer.Pointer), "the buffer's mapping is not eligible for transparent huge pages");
    }

    [Fact]
    public void Default_AlignsTo64Bytes()
    {
        using var buffer = new NativeBuffer<float>(1000);
        Assert.Equal(0, (long)buffer.Pointer % NativeBuffer<float>.Alignment);
        Assert.True(buffer.Span.IndexOfAnyExcept(0f) < 0);
    }

    private static bool TransparentHugePagesAvailable()
    {
        const string Setting = "/sys/kernel/mm/transparent_hugepage/enabled";
        return File.Exists(Setting) && !File.ReadAllText(Setting).Contains("[never]", StringComparison.Ordinal);
    }

    /// <summary>The THPeligible flag of the mapping that holds <paramref name="address"/> in /proc/self/smaps.</summary>
    private static bool ThpEligible(ulong address)
    {
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            var space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, null, out var end))
            {
                inMapping = start <= address && address < end;
                continue;
            }
            if (inMapping && line.StartsWith("THPeligible:", StringComparison.Ordinal))
                return line.EndsWith('1');
        }
        throw new InvalidOperationException($"no mapping holds 0x{address:x}");
    }
}
