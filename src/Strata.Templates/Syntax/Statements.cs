namespace Strata.Templates.Syntax;

// The statement nodes of the parsed template, gathered in one place like the expressions (Expressions.cs).

internal abstract record Statement(int Line) : Node(Line);

internal sealed record TextStatement(int Line, string Text) : Statement(Line);

/// <summary><c>{{ expression }}</c>.</summary>
internal sealed record OutputStatement(int Line, Expression Expression) : Statement(Line);

/// <summary><c>if</c>; an <c>elif</c> is a nested if in <see cref="Else"/>.</summary>
internal sealed record IfStatement(int Line, Expression Test, IReadOnlyList<Statement> Body, IReadOnlyList<Statement> Else) : Statement(Line);

/// <summary><c>for target in iterable [if filter] [recursive]</c> ... <c>else</c> ... <c>endfor</c>.</summary>
internal sealed record ForStatement(
    int Line,
    Expression Target,
    Expression Iterable,
    Expression? Filter,
    bool Recursive,
    IReadOnlyList<Statement> Body,
    IReadOnlyList<Statement> Else) : Statement(Line);

internal sealed record BreakStatement(int Line) : Statement(Line);

internal sealed record ContinueStatement(int Line) : Statement(Line);

/// <summary><c>set target = value</c>; the target is a name, a tuple of names, or <c>namespace.attribute</c>.</summary>
internal sealed record SetStatement(int Line, Expression Target, Expression Value) : Statement(Line);

/// <summary><c>set target [| filters]</c> ... <c>endset</c>: captures the rendered body.</summary>
internal sealed record SetBlockStatement(int Line, Expression Target, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Statement> Body) : Statement(Line);

internal sealed record WithStatement(int Line, IReadOnlyList<Assignment> Assignments, IReadOnlyList<Statement> Body) : Statement(Line);

internal sealed record Assignment(Expression Target, Expression Value);

internal sealed record MacroStatement(int Line, string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Statement> Body) : Statement(Line);

internal sealed record MacroParameter(string Name, Expression? Default);

/// <summary><c>call(params) macro(args)</c> ... <c>endcall</c>: the body becomes the macro's <c>caller()</c>.</summary>
internal sealed record CallBlockStatement(int Line, CallExpression Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<Statement> Body) : Statement(Line);

internal sealed record FilterBlockStatement(int Line, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Statement> Body) : Statement(Line);

/// <summary>Hugging Face's <c>generation</c> block, which marks assistant text for training masks and renders its body unchanged.</summary>
internal sealed record GenerationStatement(int Line, IReadOnlyList<Statement> Body) : Statement(Line);
