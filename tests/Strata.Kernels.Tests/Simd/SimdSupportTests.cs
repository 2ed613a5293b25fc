using Strata.Kernels.Simd;

namespace Strata.Kernels.Tests.Simd;

public sealed class SimdSupportTests
{
    [Fact]
    public void FromEnvironment_Unset_IsTheBestSupportedLevel()
    {
        Assert.Equal(SimdSupport.Supported.Max(), SimdSupport.Best);
        Assert.Equal(SimdSupport.Best, SimdSupport.FromEnvironment(null));
        if (Environment.GetEnvironmentVariable(SimdSupport.EnvironmentVariable) is null)
            Assert.Equal(SimdSupport.Best, SimdSupport.Level);
    }

    [Theory]
    [InlineData("scalar", SimdLevel.Scalar)]
    [InlineData("AVX2", SimdLevel.Avx2)]
    public void FromEnvironment_NamedLevel_IsThatLevel(string setting, SimdLevel expected) =>
        Assert.Equal(expected, SimdSupport.FromEnvironment(setting));

    [Fact]
    public void FromEnvironment_UnknownName_Throws() =>
        Assert.Throws<ArgumentException>(() => SimdSupport.FromEnvironment("sse9"));
}
