namespace Strata.Templates.Syntax;

/// <summary>Hugging Face's <c>generation</c> block, which marks assistant text for training masks and renders its body unchanged.</summary>
internal sealed record GenerationStatement(int Line, IReadOnlyList<Statement> Body) : Statement(Line);
