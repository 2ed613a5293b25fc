namespace Strata.Models.Tokenizers;

/// <summary>
/// llama.cpp's <c>clean_up_tokenization_spaces</c> for detokenized text, three passes in place: drop the space
/// before <c>? ! . ,</c>; turn <c>" ' "</c> into <c>"'"</c>; drop the space before <c>'s 'm 're 've</c>.
/// </summary>
internal static class SpaceCleanup
{
    /// <summary>Cleans <paramref name="text"/> in place and returns its new length.</summary>
    public static int Apply(Span<byte> text)
    {
        var length = RemoveSpaceBeforePunctuation(text);
        length = CollapseSpacedApostrophe(text[..length]);
        return RemoveSpaceBeforeContraction(text[..length]);
    }

    // Each pass writes at or behind the position it reads, and tracks the previous byte as it was before the pass.
    private static int RemoveSpaceBeforePunctuation(Span<byte> text)
    {
        if (text.IsEmpty)
            return 0;
        var written = 1;
        var previous = text[0];
        for (var i = 1; i < text.Length; i++)
        {
            var current = text[i];
            if (previous == ' ' && current is (byte)'?' or (byte)'!' or (byte)'.' or (byte)',')
                written--;
            text[written++] = current;
            previous = current;
        }
        return written;
    }

    private static int CollapseSpacedApostrophe(Span<byte> text)
    {
        if (text.IsEmpty)
            return 0;
        var written = 1;
        var previous = text[0];
        for (var i = 1; i < text.Length; i++)
        {
            var current = text[i];
            if (current == '\'' && previous == ' ' && i + 1 < text.Length && text[i + 1] == ' ')
            {
                text[written - 1] = current; // replaces the space before
                i++; // and skips the space after, which then no longer counts as a previous space
                previous = 0;
                continue;
            }
            text[written++] = current;
            previous = current;
        }
        return written;
    }

    private static int RemoveSpaceBeforeContraction(Span<byte> text)
    {
        if (text.IsEmpty)
            return 0;
        var written = 1;
        var previous = text[0];
        for (var i = 1; i < text.Length; i++)
        {
            var current = text[i];
            if (previous == ' ' && current == '\'' && i + 1 < text.Length && IsSpaceDroppingContraction(text, i + 1))
                written--;
            text[written++] = current;
            previous = current;
        }
        return written;
    }

    /// <summary>'s and 'm, or 're and 've (llama.cpp keeps the space before 't, 'd and 'll).</summary>
    private static bool IsSpaceDroppingContraction(ReadOnlySpan<byte> text, int letter) =>
        text[letter] is (byte)'s' or (byte)'m'
        || letter + 1 < text.Length && text[letter + 1] == 'e' && text[letter] is (byte)'r' or (byte)'v';
}
