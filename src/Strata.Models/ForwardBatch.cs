namespace Strata.Models;

/// <summary>
/// The tokens of one forward pass, drawn from any number of sequences, each at an explicit position. Every token
/// attends causally to its own sequence's positions 0..position through that sequence's block table. Reused
/// from step to step: <see cref="Clear"/> keeps the arrays.
/// </summary>
public sealed class ForwardBatch
{
    private int[] _tokens = new int[64];
    private int[] _positions = new int[64];
    private int[] _sequenceOf = new int[64];
    private int[] _logitTokens = new int[64];
    private readonly List<int[]> _blockTables = [];

    public int TokenCount { get; private set; }

    public int SequenceCount => _blockTables.Count;

    /// <summary>Number of tokens whose logits are computed, in the order they were added.</summary>
    public int LogitCount { get; private set; }

    public ReadOnlySpan<int> Tokens => _tokens.AsSpan(0, TokenCount);

    public ReadOnlySpan<int> Positions => _positions.AsSpan(0, TokenCount);

    /// <summary>For each token, the index of its sequence in this batch.</summary>
    public ReadOnlySpan<int> SequenceOf => _sequenceOf.AsSpan(0, TokenCount);

    /// <summary>Indices of the tokens whose logits are wanted.</summary>
    public ReadOnlySpan<int> LogitTokens => _logitTokens.AsSpan(0, LogitCount);

    public int[] BlockTable(int sequence) => _blockTables[sequence];

    public void Clear()
    {
        TokenCount = 0;
        LogitCount = 0;
        _blockTables.Clear();
    }

    /// <summary>Adds a sequence; <paramref name="blockTable"/> must cover every position its tokens use.</summary>
    public int AddSequence(int[] blockTable)
    {
        _blockTables.Add(blockTable);
        return _blockTables.Count - 1;
    }

    public void AddToken(int sequence, int token, int position, bool wantLogits)
    {
        if ((uint)sequence >= (uint)_blockTables.Count)
            throw new ArgumentOutOfRangeException(nameof(sequence));
        Grow(ref _tokens, TokenCount);
        Grow(ref _positions, TokenCount);
        Grow(ref _sequenceOf, TokenCount);
        _tokens[TokenCount] = token;
        _positions[TokenCount] = position;
        _sequenceOf[TokenCount] = sequence;
        if (wantLogits)
        {
            Grow(ref _logitTokens, LogitCount);
            _logitTokens[LogitCount++] = TokenCount;
        }
        TokenCount++;
    }

    private static void Grow(ref int[] array, int index)
    {
        if (index >= array.Length)
            Array.Resize(ref array, array.Length * 2);
    }
}
