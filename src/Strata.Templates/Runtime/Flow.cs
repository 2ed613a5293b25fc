namespace Strata.Templates.Runtime;

/// <summary>How a statement list finished: normally, or by <c>break</c>/<c>continue</c> travelling up to its loop.</summary>
internal enum Flow
{
    Normal,
    Break,
    Continue,
}
