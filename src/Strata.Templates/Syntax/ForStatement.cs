namespace Strata.Templates.Syntax;

/// <summary><c>for target in iterable [if filter] [recursive]</c> ... <c>else</c> ... <c>endfor</c>.</summary>
internal sealed record ForStatement(
    int Line,
    Expression Target,
    Expression Iterable,
    Expression? Filter,
    bool Recursive,
    IReadOnlyList<Statement> Body,
    IReadOnlyList<Statement> Else) : Statement(Line);
