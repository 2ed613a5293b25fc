using Strata.Grammar.Syntax;

namespace Strata.Grammar;

/// <summary>
/// A context-free grammar over bytes, compiled from GBNF: rules of alternatives, each a sequence of byte sets and
/// rule references laid out in one array (a position is an index into it). Immutable; knows nothing of tokens.
/// </summary>
public sealed class CompiledGrammar
{
    /// <summary>Bytes needed to finish anything unproductive (a rule that can never end).</summary>
    internal const int Unreachable = int.MaxValue / 4;

    internal CompiledGrammar(Element[] elements, int[][] alternatives, ByteSet[] sets, string[] ruleNames, int root)
    {
        Elements = elements;
        Alternatives = alternatives;
        Sets = sets;
        RuleNames = ruleNames;
        Root = root;
        RejectLeftRecursion();
        MinBytesFrom = ComputeMinBytes();
        if (Alternatives[Root].All(a => MinBytesFrom[a] >= Unreachable))
            throw new GrammarException($"rule '{RuleNames[Root]}' can never be completed");
    }

    internal Element[] Elements { get; }

    /// <summary>For each rule, the position where each of its alternatives starts.</summary>
    internal int[][] Alternatives { get; }

    internal ByteSet[] Sets { get; }

    internal string[] RuleNames { get; }

    internal int Root { get; }

    /// <summary>The fewest bytes that complete the alternative from each position.</summary>
    internal int[] MinBytesFrom { get; }

    public int RuleCount => RuleNames.Length;

    /// <summary>Parses GBNF text (llama.cpp's grammar format) whose start rule is <paramref name="root"/>.</summary>
    /// <exception cref="GrammarException">The text is not a valid grammar, or a rule is left-recursive.</exception>
    public static CompiledGrammar FromGbnf(string gbnf, string root = "root")
    {
        ArgumentNullException.ThrowIfNull(gbnf);
        return GbnfParser.Parse(gbnf, root);
    }

    private int[] ComputeMinBytes()
    {
        var from = new int[Elements.Length];
        var rule = new int[Alternatives.Length];
        Array.Fill(rule, Unreachable);
        bool changed;
        do
        {
            changed = false;
            for (var pos = Elements.Length - 1; pos >= 0; pos--)
            {
                var e = Elements[pos];
                from[pos] = e.Kind switch
                {
                    ElementKind.End => 0,
                    ElementKind.Bytes => Math.Min(Unreachable, 1 + from[pos + 1]),
                    _ => Math.Min(Unreachable, rule[e.Value] + from[pos + 1]),
                };
            }
            for (var r = 0; r < Alternatives.Length; r++)
            {
                var best = Alternatives[r].Length == 0 ? Unreachable : Alternatives[r].Min(a => from[a]);
                if (best < rule[r])
                {
                    rule[r] = best;
                    changed = true;
                }
            }
        }
        while (changed);
        return from;
    }

    /// <summary>A rule that can reach itself without consuming a byte would expand forever; refuse it up front.</summary>
    private void RejectLeftRecursion()
    {
        var nullable = new bool[Alternatives.Length];
        bool changed;
        do
        {
            changed = false;
            for (var r = 0; r < Alternatives.Length; r++)
            {
                if (!nullable[r] && Alternatives[r].Any(a => NullableFrom(a, nullable)))
                    nullable[r] = changed = true;
            }
        }
        while (changed);

        // 0 unvisited, 1 on the path, 2 done.
        var marks = new int[Alternatives.Length];
        for (var r = 0; r < Alternatives.Length; r++)
            Visit(r, nullable, marks);
    }

    private void Visit(int rule, bool[] nullable, int[] marks)
    {
        if (marks[rule] == 2)
            return;
        if (marks[rule] == 1)
            throw new GrammarException($"rule '{RuleNames[rule]}' is left-recursive");
        marks[rule] = 1;
        foreach (var start in Alternatives[rule])
        {
            for (var pos = start; Elements[pos].Kind == ElementKind.Rule; pos++)
            {
                Visit(Elements[pos].Value, nullable, marks);
                if (!nullable[Elements[pos].Value])
                    break;
            }
        }
        marks[rule] = 2;
    }

    private bool NullableFrom(int pos, bool[] nullable)
    {
        for (; Elements[pos].Kind != ElementKind.End; pos++)
        {
            if (Elements[pos].Kind == ElementKind.Bytes || !nullable[Elements[pos].Value])
                return false;
        }
        return true;
    }
}
