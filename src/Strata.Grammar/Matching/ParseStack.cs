namespace Strata.Grammar.Matching;

/// <summary>
/// One parse stack, interned: the top is the position of the next byte set to match, the entries below are where
/// to continue when the enclosing alternatives end. Equal stacks are the same object, so sets of them compare fast.
/// </summary>
internal sealed class ParseStack(int id, int position, ParseStack? below, int minBytes)
{
    public int Id { get; } = id;

    public int Position { get; } = position;

    public ParseStack? Below { get; } = below;

    /// <summary>The fewest bytes that empty this stack.</summary>
    public int MinBytes { get; } = minBytes;
}
