using System.Runtime.InteropServices;

namespace Strata.Kernels.Memory;

/// <summary>
/// A 64-byte-aligned block of unmanaged memory: a stable address for kernels and compute threads, invisible to
/// the GC, and free of the 2^31-element limit of managed arrays.
/// </summary>
public sealed unsafe class NativeBuffer<T> : IDisposable where T : unmanaged
{
    public const int Alignment = 64;

    /// <param name="hugePages">Align to 2 MiB and advise huge pages (for large buffers streamed end to end, such as weights).</param>
    public NativeBuffer(long length, bool hugePages = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        var bytes = (nuint)Math.Max(1, length * sizeof(T));
        Pointer = (T*)NativeMemory.AlignedAlloc(bytes, (nuint)(hugePages ? HugePages.PageBytes : Alignment));
        if (hugePages)
            HugePages.Advise(Pointer, bytes);
        NativeMemory.Clear(Pointer, (nuint)(length * sizeof(T)));
    }

    public long Length { get; }

    public T* Pointer { get; private set; }

    public long ByteLength => Length * sizeof(T);

    /// <summary>A span over <paramref name="count"/> elements from <paramref name="start"/>.</summary>
    public Span<T> Slice(long start, int count)
    {
        if ((ulong)start > (ulong)Length || (ulong)count > (ulong)(Length - start))
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start + count}) outside a buffer of {Length}");
        return new Span<T>(Pointer + start, count);
    }

    /// <summary>The whole buffer as a span; only for buffers shorter than 2^31 elements.</summary>
    public Span<T> Span => new(Pointer, checked((int)Length));

    public void Dispose()
    {
        if (Pointer == null)
            return;
        NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
