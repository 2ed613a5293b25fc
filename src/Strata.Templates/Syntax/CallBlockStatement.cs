namespace Strata.Templates.Syntax;

/// <summary><c>call(params) macro(args)</c> ... <c>endcall</c>: the body becomes the macro's <c>caller()</c>.</summary>
internal sealed record CallBlockStatement(int Line, CallExpression Call, IReadOnlyList<MacroParameter> CallerParameters, IReadOnlyList<Statement> Body) : Statement(Line);
