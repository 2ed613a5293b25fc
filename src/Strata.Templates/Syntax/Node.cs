namespace Strata.Templates.Syntax;

/// <summary>A node of the parsed template; <see cref="Line"/> is where errors get reported.</summary>
internal abstract record Node(int Line);
