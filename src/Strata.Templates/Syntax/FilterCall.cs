namespace Strata.Templates.Syntax;

/// <summary>One filter application, <c>| name(args)</c>.</summary>
internal sealed record FilterCall(int Line, string Name, CallArguments Arguments);
