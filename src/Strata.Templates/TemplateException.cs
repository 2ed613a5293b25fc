namespace Strata.Templates;

/// <summary>
/// A chat template could not be parsed or rendered: a syntax error, a failed operation, or the
/// template itself calling <c>raise_exception</c>. The message names the template line.
/// </summary>
public sealed class TemplateException : Exception
{
    internal TemplateException(string reason, int line, Exception? inner = null)
        : base($"chat template line {line}: {reason}", inner)
    {
        Reason = reason;
        Line = line;
    }

    /// <summary>What went wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The 1-based line of the template where the error was found.</summary>
    public int Line { get; }
}
