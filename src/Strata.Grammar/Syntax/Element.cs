namespace Strata.Grammar.Syntax;

internal enum ElementKind : byte
{
    /// <summary>The end of an alternative.</summary>
    End,

    /// <summary>One byte from a set (<see cref="Element.Value"/> indexes the grammar's byte sets).</summary>
    Bytes,

    /// <summary>A reference to a rule (<see cref="Element.Value"/> is the rule id).</summary>
    Rule,
}

/// <summary>One element of an alternative in the byte-level grammar.</summary>
internal readonly record struct Element(ElementKind Kind, int Value);
