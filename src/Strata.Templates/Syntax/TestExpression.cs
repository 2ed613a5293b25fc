namespace Strata.Templates.Syntax;

/// <summary><c>input is [not] test(args)</c>.</summary>
internal sealed record TestExpression(int Line, Expression Input, string Name, CallArguments Arguments, bool Negated) : Expression(Line);
