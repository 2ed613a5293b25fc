namespace Strata.Kernels.MatMul;

internal readonly struct FourTokens : ITokenTile
{
    public static int Count => 4;
}
