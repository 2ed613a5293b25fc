namespace Strata.Models.Tokenizers;

/// <summary>The token texts, scores and attributes of a GGUF vocabulary, with text-to-id lookup by string or span.</summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    public Vocabulary(string[] texts, float[] scores, TokenAttributes[] attributes)
    {
        Texts = texts;
        Scores = scores;
        Attributes = attributes;
        _ids = new Dictionary<string, int>(texts.Length, StringComparer.Ordinal);
        for (var id = 0; id < texts.Length; id++)
        {
            _ids[texts[id]] = id; // a repeated text resolves to its last id, as in llama.cpp
            MaxTokenChars = Math.Max(MaxTokenChars, texts[id].Length);
        }
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => Texts.Length;

    public string[] Texts { get; }

    public float[] Scores { get; }

    /// <summary>Mutable only while the tokenizer is being built (llama.cpp's load-time rules adjust them).</summary>
    public TokenAttributes[] Attributes { get; }

    public int MaxTokenChars { get; }

    public bool Contains(int id) => (uint)id < (uint)Texts.Length;

    public int IdOf(string text) => _ids.GetValueOrDefault(text, Tokenizer.NoToken);

    public bool TryGetId(ReadOnlySpan<char> text, out int id) => _idsBySpan.TryGetValue(text, out id);

    public bool Is(int id, TokenAttributes attribute) => (Attributes[id] & attribute) != 0;
}
