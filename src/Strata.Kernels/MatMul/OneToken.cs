namespace Strata.Kernels.MatMul;

internal readonly struct OneToken : ITokenTile
{
    public static int Count => 1;
}
