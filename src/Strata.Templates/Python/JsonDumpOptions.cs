namespace Strata.Templates.Python;

/// <summary>The arguments of Python's <c>json.dumps</c> that Hugging Face's <c>tojson</c> filter exposes.</summary>
internal sealed record JsonDumpOptions(bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys)
{
    public static JsonDumpOptions Create(bool ensureAscii, string? indent, (string Item, string Key)? separators, bool sortKeys)
    {
        // json.dumps drops the space after "," when indenting, since each item gets its own line.
        var (item, key) = separators ?? (indent is null ? (", ", ": ") : (",", ": "));
        return new JsonDumpOptions(ensureAscii, indent, item, key, sortKeys);
    }
}
