using Strata.Kernels.Memory;

namespace Strata.Models.Llama;

/// <summary>A float buffer that is reallocated only when a larger batch needs more room, never shrunk.</summary>
internal sealed unsafe class ScratchBuffer : IDisposable
{
    private NativeBuffer<float> _buffer = new(0);

    public float* Pointer => _buffer.Pointer;

    public void Ensure(long length)
    {
        if (length <= _buffer.Length)
            return;
        _buffer.Dispose();
        _buffer = new NativeBuffer<float>(length);
    }

    public Span<float> Row(int row, int width) => _buffer.Slice((long)row * width, width);

    public void Dispose() => _buffer.Dispose();
}
