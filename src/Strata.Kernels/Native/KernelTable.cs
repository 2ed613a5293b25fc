using Iced.Intel;

namespace Strata.Kernels.Native;

/// <summary>A family of kernels assembled into one mapping, each at a 64-byte boundary, looked up by index.</summary>
internal static unsafe class KernelTable
{
    /// <summary>
    /// Assembles <paramref name="emit"/>(i) for i in [0, count) (null where a shape does not exist) and maps the code
    /// read-execute: the entry points by index (0 where there is no kernel), or none if the OS refused to map code.
    /// </summary>
    public static nint[] Assemble(int count, Func<int, Assembler?> emit)
    {
        var code = new MemoryStream();
        var offsets = new long[count];
        for (var i = 0; i < count; i++)
        {
            var kernel = emit(i);
            if (kernel == null)
            {
                offsets[i] = -1;
                continue;
            }
            while (code.Length % 64 != 0)
                code.WriteByte(0xCC);
            offsets[i] = code.Length;
            // Every branch is relative and nothing is addressed through RIP, so code assembled at 0 runs anywhere.
            kernel.Assemble(new StreamCodeWriter(code), 0);
        }
        var pages = ExecutableMemory.Map(code.ToArray());
        if (pages == null)
            return [];
        return Array.ConvertAll(offsets, offset => offset < 0 ? 0 : (nint)(pages + offset));
    }
}
