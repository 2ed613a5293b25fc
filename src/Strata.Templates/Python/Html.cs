using Strata.Templates.Values;

namespace Strata.Templates.Python;

/// <summary>markupsafe's escaping: what <c>Markup</c> applies to the plain strings it is combined with.</summary>
internal static class Html
{
    public static string Escape(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);

    /// <summary>markupsafe's <c>escape(value)</c>: Markup stays as it is, anything else is escaped text.</summary>
    public static StringValue EscapeValue(Value value) =>
        value as StringValue is { IsMarkup: true } markup ? markup : StringValue.Markup(Escape(value.ToStr()));

    /// <summary>The text a value contributes when combined with Markup.</summary>
    public static string EscapedText(Value value) => EscapeValue(value).Value;
}
