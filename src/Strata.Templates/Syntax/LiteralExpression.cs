using Strata.Templates.Values;

namespace Strata.Templates.Syntax;

/// <summary>A constant: string, number, boolean or none (never a mutable list or dict).</summary>
internal sealed record LiteralExpression(int Line, Value Value) : Expression(Line);
