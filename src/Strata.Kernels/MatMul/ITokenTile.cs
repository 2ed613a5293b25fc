namespace Strata.Kernels.MatMul;

/// <summary>
/// A compile-time count of tokens a kernel tile processes together: kernels are generic over it so the JIT emits
/// straight-line code with one register accumulator per token and drops the unused ones.
/// </summary>
internal interface ITokenTile
{
    static abstract int Count { get; }
}
