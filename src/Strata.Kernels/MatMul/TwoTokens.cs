namespace Strata.Kernels.MatMul;

internal readonly struct TwoTokens : ITokenTile
{
    public static int Count => 2;
}
