namespace Strata.KvCache;

/// <summary>
/// The blocks of one sequence in position order: position p lives in block <c>Blocks[p / blockSize]</c>. The array
/// may be longer than <see cref="Count"/>; it is handed to the model as is.
/// </summary>
public sealed class BlockTable
{
    private int[] _blocks = new int[8];

    public int Count { get; private set; }

    /// <summary>The block ids; only the first <see cref="Count"/> are meaningful.</summary>
    public int[] Blocks => _blocks;

    public int this[int index] => index < Count ? _blocks[index] : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerable<int> InUse => _blocks.Take(Count);

    internal void Add(int block)
    {
        if (Count == _blocks.Length)
            Array.Resize(ref _blocks, _blocks.Length * 2);
        _blocks[Count++] = block;
    }

    internal void Replace(int index, int block) => _blocks[index] = block;

    internal void Shrink(int count) => Count = count;

    internal void Clear() => Count = 0;
}
