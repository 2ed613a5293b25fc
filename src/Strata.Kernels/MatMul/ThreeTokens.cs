namespace Strata.Kernels.MatMul;

internal readonly struct ThreeTokens : ITokenTile
{
    public static int Count => 3;
}
