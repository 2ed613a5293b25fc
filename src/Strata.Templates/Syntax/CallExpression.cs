namespace Strata.Templates.Syntax;

internal sealed record CallExpression(int Line, Expression Callee, CallArguments Arguments) : Expression(Line);
