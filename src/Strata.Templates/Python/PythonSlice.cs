namespace Strata.Templates.Python;

/// <summary>Python's <c>slice.indices</c>: which positions <c>seq[start:stop:step]</c> selects.</summary>
internal static class PythonSlice
{
    public static IEnumerable<int> Indices(int length, long? start, long? stop, long? step)
    {
        var by = step ?? 1;
        if (by == 0)
            throw new TemplateRuntimeException("slice step cannot be zero");
        var from = Adjust(start, length, by, by < 0 ? length - 1 : 0);
        var to = Adjust(stop, length, by, by < 0 ? -1 : length);
        if (by > 0)
        {
            for (var i = from; i < to; i += by)
                yield return (int)i;
        }
        else
        {
            for (var i = from; i > to; i += by)
                yield return (int)i;
        }
    }

    /// <summary>The half-open range a step-1 slice selects.</summary>
    public static (int From, int To) Bounds(int length, long? start, long? stop)
    {
        var from = Adjust(start, length, 1, 0);
        var to = Adjust(stop, length, 1, length);
        return ((int)from, (int)Math.Max(from, to));
    }

    private static long Adjust(long? index, int length, long step, long fallback)
    {
        if (index is not { } i)
            return fallback;
        if (i < 0)
        {
            i += length;
            if (i < 0)
                i = step < 0 ? -1 : 0;
        }
        else if (i >= length)
        {
            i = step < 0 ? length - 1 : length;
        }
        return i;
    }
}
