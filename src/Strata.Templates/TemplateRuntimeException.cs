namespace Strata.Templates;

/// <summary>
/// An error raised while evaluating, before its template line is known; the interpreter turns it
/// into a <see cref="TemplateException"/> at the node that failed.
/// </summary>
internal sealed class TemplateRuntimeException(string message) : Exception(message);
