namespace Strata.Templates.Syntax;

internal sealed record DictExpression(int Line, IReadOnlyList<KeyValuePair<Expression, Expression>> Entries) : Expression(Line);
