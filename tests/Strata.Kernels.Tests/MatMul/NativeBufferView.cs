using Strata.Kernels.Memory;

namespace Strata.Kernels.Tests.MatMul;

/// <summary>A float pointer for tests that either owns a <see cref="NativeBuffer{T}"/> or points into one.</summary>
internal readonly unsafe struct NativeBufferView : IDisposable
{
    private readonly NativeBuffer<float>? _owner;

    public NativeBufferView(NativeBuffer<float> owner)
    {
        _owner = owner;
        Pointer = owner.Pointer;
    }

    public NativeBufferView(float* pointer) => Pointer = pointer;

    public float* Pointer { get; }

    public void Dispose() => _owner?.Dispose();
}
