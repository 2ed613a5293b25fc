using System.Runtime.InteropServices;
using System.Text;
using Strata.Models.Gguf;

namespace Strata.Models.Tokenizers;

/// <summary>
/// A tokenizer built from a GGUF vocabulary that encodes and decodes exactly as llama.cpp does: SentencePiece
/// (<c>tokenizer.ggml.model = llama</c>), byte-level BPE with the model's pre-tokenizer (<c>gpt2</c>) or WordPiece
/// (<c>bert</c>). Token ids are plain <see cref="int"/>s indexing the embedding rows and logits. Immutable and
/// thread-safe.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>The id used where a model has no such token.</summary>
    public const int NoToken = -1;

    private readonly Vocabulary _vocabulary;
    private readonly TokenizerOptions _options;
    private readonly SpecialTokenSplitter _splitter;
    private readonly ITextEncoder _encoder;
    private readonly PieceTable _pieces;
    private readonly bool[] _endsGeneration;
    private readonly int _prefixId;
    private readonly int _suffixId;

    internal Tokenizer(TokenizerKind kind, Vocabulary vocabulary, SpecialTokenIds ids, HashSet<int> endOfGeneration,
        TokenizerOptions options, SpecialTokenSplitter splitter, ITextEncoder encoder, PieceTable pieces)
    {
        _vocabulary = vocabulary;
        _options = options;
        _splitter = splitter;
        _encoder = encoder;
        _pieces = pieces;
        BosId = ids.Bos;
        EosId = ids.Eos;
        _endsGeneration = new bool[vocabulary.Count];
        foreach (var id in endOfGeneration.Where(vocabulary.Contains))
            _endsGeneration[id] = true;
        // WordPiece always frames a sequence as [CLS] ... [SEP]; the others follow the add_bos/add_eos flags.
        _prefixId = kind == TokenizerKind.WordPiece || options.AddBos ? ids.Bos : NoToken;
        _suffixId = kind == TokenizerKind.WordPiece ? ids.Separator : options.AddEos ? ids.Eos : NoToken;
    }

    /// <summary>Number of tokens in the vocabulary (rows of the embedding matrix).</summary>
    public int VocabSize => _vocabulary.Count;

    /// <summary>Beginning-of-sequence token, or <see cref="NoToken"/>.</summary>
    public int BosId { get; }

    /// <summary>End-of-sequence token, or <see cref="NoToken"/>.</summary>
    public int EosId { get; }

    /// <summary>Whether the model wants BOS added when encoding with special tokens.</summary>
    public bool AddBos => _options.AddBos;

    /// <summary>Whether the model wants EOS added when encoding with special tokens.</summary>
    public bool AddEos => _options.AddEos;

    /// <summary>Reads the tokenizer from a GGUF file's metadata.</summary>
    /// <exception cref="NotSupportedException">The tokenizer model or pre-tokenizer is not one Strata implements.</exception>
    /// <exception cref="GgufFormatException">Tokenizer metadata is missing or malformed.</exception>
    public static Tokenizer FromGguf(GgufMetadata metadata) => TokenizerLoader.Load(metadata);

    /// <summary>Encodes <paramref name="text"/> into token ids.</summary>
    /// <param name="text">The input; unpaired surrogates are read as U+FFFD.</param>
    /// <param name="addSpecial">Add the model's BOS/EOS (or, for BERT, [CLS] and [SEP]) as its flags ask.</param>
    /// <param name="parseSpecial">Recognise control-token texts such as <c>&lt;|im_end|&gt;</c> in the input; user-defined tokens are always recognised.</param>
    public int[] Encode(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = ReplaceLoneSurrogates(text);
        var output = new List<int>(text.Length / 3 + 2);
        if (addSpecial && _prefixId != NoToken)
            output.Add(_prefixId);
        var followsSpecial = true;
        foreach (var fragment in _splitter.Split(text, parseSpecial))
        {
            if (fragment.IsToken)
            {
                output.Add(fragment.TokenId);
                followsSpecial = true;
            }
            else
            {
                _encoder.Encode(text.AsSpan(fragment.Start, fragment.Length), followsSpecial, output);
                followsSpecial = false;
            }
        }
        if (addSpecial && _suffixId != NoToken)
            output.Add(_suffixId);
        return [.. output];
    }

    /// <summary>
    /// The bytes a token stands for. Control and unknown tokens give nothing unless <paramref name="renderSpecial"/>;
    /// a piece may be part of a UTF-8 character (see <see cref="Utf8StreamDecoder"/>).
    /// </summary>
    public ReadOnlySpan<byte> PieceBytes(int tokenId, bool renderSpecial = false)
    {
        CheckId(tokenId);
        if (!renderSpecial && _vocabulary.Is(tokenId, TokenAttributes.Control | TokenAttributes.Unknown))
            return [];
        return _pieces[tokenId];
    }

    /// <summary>
    /// Decodes a token sequence to text as llama.cpp's detokenizer does: SentencePiece drops the space prefix of the
    /// first token, and models that ask for it get their spaces cleaned up (" ," becomes ","). Bytes that do not form
    /// valid UTF-8 become U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<int> tokens, bool renderSpecial = false)
    {
        var bytes = new List<byte>(tokens.Length * 4);
        var removeSpace = _options.AddSpacePrefix;
        foreach (var id in tokens)
        {
            var piece = PieceBytes(id, renderSpecial);
            if (removeSpace && !piece.IsEmpty && piece[0] == ' ')
                piece = piece[1..];
            removeSpace = false;
            bytes.AddRange(piece);
        }
        var span = CollectionsMarshal.AsSpan(bytes);
        var length = _options.CleanSpaces ? SpaceCleanup.Apply(span) : span.Length;
        return Encoding.UTF8.GetString(span[..length]);
    }

    /// <summary>Whether generating this token ends the turn: EOS, EOT, EOM and llama.cpp's end-of-turn texts.</summary>
    public bool IsEndOfGeneration(int tokenId) => (uint)tokenId < (uint)_endsGeneration.Length && _endsGeneration[tokenId];

    /// <summary>The token's text as stored in the vocabulary (for example <c>▁Hello</c> or <c>ĠHello</c>).</summary>
    public string TokenText(int tokenId)
    {
        CheckId(tokenId);
        return _vocabulary.Texts[tokenId];
    }

    /// <summary>The token's type and flags.</summary>
    public TokenAttributes Attributes(int tokenId)
    {
        CheckId(tokenId);
        return _vocabulary.Attributes[tokenId];
    }

    /// <summary>llama.cpp sees UTF-8, where an unpaired surrogate can only arrive as U+FFFD; make that explicit up front.</summary>
    private static string ReplaceLoneSurrogates(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
            return text;
        char[]? repaired = null;
        for (var i = first; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                (repaired ??= text.ToCharArray())[i] = '\uFFFD';
        }
        return repaired is null ? text : new string(repaired);
    }

    private void CheckId(int tokenId)
    {
        if (!_vocabulary.Contains(tokenId))
            throw new ArgumentOutOfRangeException(nameof(tokenId), tokenId, $"token id outside the vocabulary of {VocabSize}");
    }
}
