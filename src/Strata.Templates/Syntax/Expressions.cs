using Strata.Templates.Values;

namespace Strata.Templates.Syntax;

// The expression nodes of the parsed template, gathered in one place: each is a one-line record, and together they
// read as the grammar of Jinja expressions.

/// <summary>A node of the parsed template; <see cref="Line"/> is where errors get reported.</summary>
internal abstract record Node(int Line);

internal abstract record Expression(int Line) : Node(Line);

internal sealed record NameExpression(int Line, string Name) : Expression(Line);

/// <summary>A constant: string, number, boolean or none (never a mutable list or dict).</summary>
internal sealed record LiteralExpression(int Line, Value Value) : Expression(Line);

internal sealed record ListExpression(int Line, IReadOnlyList<Expression> Items) : Expression(Line);

internal sealed record TupleExpression(int Line, IReadOnlyList<Expression> Items) : Expression(Line);

internal sealed record DictExpression(int Line, IReadOnlyList<KeyValuePair<Expression, Expression>> Entries) : Expression(Line);

internal sealed record UnaryExpression(int Line, UnaryOperator Operator, Expression Operand) : Expression(Line);

internal enum UnaryOperator
{
    Negate,
    Plus,
    Not,
}

internal sealed record BinaryExpression(int Line, BinaryOperator Operator, Expression Left, Expression Right) : Expression(Line);

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
    Concat,
    And,
    Or,
}

/// <summary>A comparison chain, <c>a &lt; b &lt;= c</c>, which Python reads as <c>a &lt; b and b &lt;= c</c>.</summary>
internal sealed record CompareExpression(int Line, Expression First, IReadOnlyList<Comparison> Rest) : Expression(Line);

internal sealed record Comparison(CompareOperator Operator, Expression Operand);

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    NotIn,
}

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives undefined.</summary>
internal sealed record ConditionalExpression(int Line, Expression Test, Expression Then, Expression? Otherwise) : Expression(Line);

/// <summary><c>target.name</c>: attribute first, then item, as Jinja looks it up.</summary>
internal sealed record AttributeExpression(int Line, Expression Target, string Name) : Expression(Line);

/// <summary><c>target[key]</c>: item first, then attribute, as Jinja looks it up.</summary>
internal sealed record ItemExpression(int Line, Expression Target, Expression Key) : Expression(Line);

/// <summary><c>target[start:stop:step]</c>.</summary>
internal sealed record SliceExpression(int Line, Expression Target, Expression? Start, Expression? Stop, Expression? Step) : Expression(Line);

internal sealed record CallExpression(int Line, Expression Callee, CallArguments Arguments) : Expression(Line);

/// <summary>The arguments written in a call: positional, keyword, and <c>*args</c>/<c>**kwargs</c> spreads.</summary>
internal sealed record CallArguments(IReadOnlyList<Expression> Positional, IReadOnlyList<KeywordArgument> Keywords, Expression? Spread, Expression? KeywordSpread)
{
    public static readonly CallArguments None = new([], [], null, null);
}

internal sealed record KeywordArgument(string Name, Expression Value);

/// <summary><c>input | filter(args)</c>.</summary>
internal sealed record FilterExpression(int Line, Expression Input, FilterCall Filter) : Expression(Line);

/// <summary>One filter application, <c>| name(args)</c>.</summary>
internal sealed record FilterCall(int Line, string Name, CallArguments Arguments);

/// <summary><c>input is [not] test(args)</c>.</summary>
internal sealed record TestExpression(int Line, Expression Input, string Name, CallArguments Arguments, bool Negated) : Expression(Line);
