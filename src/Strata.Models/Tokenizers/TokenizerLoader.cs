using Strata.Models.Gguf;
using Strata.Models.Tokenizers.Bpe;
using Strata.Models.Tokenizers.PreTokenization;

namespace Strata.Models.Tokenizers;

/// <summary>
/// Builds a <see cref="Tokenizer"/> from GGUF metadata, applying llama.cpp's per-model defaults first and the
/// file's own settings over them.
/// </summary>
internal static class TokenizerLoader
{
    private const string Prefix = "tokenizer.ggml.";

    public static Tokenizer Load(GgufMetadata metadata)
    {
        var model = metadata.GetStringOrNull(Prefix + "model")
            ?? throw new GgufFormatException($"missing metadata '{Prefix}model': the file has no tokenizer");
        var kind = model switch
        {
            "llama" => TokenizerKind.SentencePiece,
            "gpt2" => TokenizerKind.BytePairEncoding,
            "bert" => TokenizerKind.WordPiece,
            _ => throw new NotSupportedException(
                $"tokenizer model '{model}' ({Prefix}model) is not supported; Strata supports 'llama' (SentencePiece), 'gpt2' (BPE) and 'bert' (WordPiece)"),
        };
        var pre = metadata.GetStringOrNull(Prefix + "pre");
        var flavor = kind == TokenizerKind.BytePairEncoding ? BpeFlavors.For(pre) : null;

        var vocabulary = ReadVocabulary(metadata);
        var ids = DefaultIds(kind, flavor);
        ReadSpecialIds(metadata, vocabulary, ids);
        var options = new TokenizerOptions(
            AddBos: metadata.GetBool(Prefix + "add_bos_token", kind != TokenizerKind.BytePairEncoding || flavor!.AddBos),
            AddEos: metadata.GetBool(Prefix + "add_eos_token", false),
            AddSpacePrefix: metadata.GetBool(Prefix + "add_space_prefix", kind == TokenizerKind.SentencePiece),
            CleanSpaces: kind switch
            {
                TokenizerKind.SentencePiece => false,
                TokenizerKind.WordPiece => true,
                _ => flavor!.CleanSpaces,
            });

        var endOfGeneration = SpecialTokenRules.Apply(vocabulary, ids);
        var splitter = new SpecialTokenSplitter(vocabulary);
        var pieces = PieceTable.Build(vocabulary, kind);
        SpecialTokenRules.ApplyStripRules(vocabulary, splitter.SpecialIds, pre,
            metadata.GetStringOrNull("general.architecture"), metadata.GetStringOrNull("general.name"));

        ITextEncoder encoder = kind switch
        {
            TokenizerKind.SentencePiece => new SpmEncoder(vocabulary, options.AddSpacePrefix, ids.Unknown),
            TokenizerKind.BytePairEncoding => new BpeEncoder(vocabulary, ReadMerges(metadata, vocabulary),
                new PreTokenizer(flavor!.Steps), flavor.IgnoreMerges),
            _ => WordPiece(metadata, vocabulary, ids.Unknown),
        };
        return new Tokenizer(kind, vocabulary, ids, endOfGeneration, options, splitter, encoder, pieces);
    }

    private static Vocabulary ReadVocabulary(GgufMetadata metadata)
    {
        var texts = RequiredArray<string>(metadata, "tokens");
        texts = texts.Select((text, id) => text.Length == 0 ? $"[EMPTY_{id}]" : text).ToArray();
        var scores = OptionalArray<float>(metadata, "scores", texts.Length) ?? new float[texts.Length];
        var types = OptionalArray<int>(metadata, "token_type", texts.Length);
        var attributes = new TokenAttributes[texts.Length];
        for (var id = 0; id < texts.Length; id++)
            attributes[id] = types is null ? TokenAttributes.Normal : FromTokenType(types[id]);
        return new Vocabulary(texts, scores, attributes);
    }

    /// <summary>GGUF token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.</summary>
    private static TokenAttributes FromTokenType(int type) => type switch
    {
        1 => TokenAttributes.Normal,
        2 => TokenAttributes.Unknown,
        3 => TokenAttributes.Control,
        4 => TokenAttributes.UserDefined,
        5 => TokenAttributes.Unused,
        6 => TokenAttributes.Byte,
        _ => TokenAttributes.None,
    };

    /// <summary>llama.cpp's default special tokens per model family, used where the file names none.</summary>
    private static SpecialTokenIds DefaultIds(TokenizerKind kind, BpeFlavor? flavor) => kind switch
    {
        TokenizerKind.SentencePiece => new() { Bos = 1, Eos = 2, Unknown = 0 },
        TokenizerKind.WordPiece => new() { Bos = 101, Unknown = 100, Separator = 102 },
        _ => new() { Bos = flavor!.HasBos ? 11 : Tokenizer.NoToken, Eos = 11 },
    };

    private static void ReadSpecialIds(GgufMetadata metadata, Vocabulary vocabulary, SpecialTokenIds ids)
    {
        int Read(string key, int fallback)
        {
            if (fallback >= vocabulary.Count)
                fallback = Tokenizer.NoToken; // a default the vocabulary is too small for is disabled
            var value = metadata.GetInt64(Prefix + key, Tokenizer.NoToken);
            return value >= 0 && value < vocabulary.Count ? (int)value : fallback;
        }

        ids.Bos = Read("bos_token_id", ids.Bos);
        ids.Eos = Read("eos_token_id", ids.Eos);
        ids.Eot = Read("eot_token_id", ids.Eot);
        ids.Eom = Read("eom_token_id", ids.Eom);
        ids.Unknown = Read("unknown_token_id", ids.Unknown);
        ids.Separator = Read("seperator_token_id", ids.Separator); // sic: llama.cpp's key is spelled this way
        // The deprecated prefix/suffix/middle keys win over the fim_* keys, as in llama.cpp.
        ids.FimPrefix = Read("prefix_token_id", Read("fim_pre_token_id", ids.FimPrefix));
        ids.FimSuffix = Read("suffix_token_id", Read("fim_suf_token_id", ids.FimSuffix));
        ids.FimMiddle = Read("middle_token_id", Read("fim_mid_token_id", ids.FimMiddle));
        ids.FimPad = Read("fim_pad_token_id", ids.FimPad);
        ids.FimRepo = Read("fim_rep_token_id", ids.FimRepo);
        ids.FimSeparator = Read("fim_sep_token_id", ids.FimSeparator);
    }

    private static BpeMergeTable ReadMerges(GgufMetadata metadata, Vocabulary vocabulary) =>
        BpeMergeTable.Build(vocabulary, RequiredArray<string>(metadata, "merges"));

    private static WordPieceEncoder WordPiece(GgufMetadata metadata, Vocabulary vocabulary, int unknownId)
    {
        var lowercase = metadata.GetBool(Prefix + "normalizer.lowercase", true);
        var stripAccents = metadata.GetBool(Prefix + "normalizer.strip_accents", lowercase);
        return new WordPieceEncoder(vocabulary, lowercase, stripAccents, unknownId);
    }

    private static T[] RequiredArray<T>(GgufMetadata metadata, string name) =>
        metadata.GetArrayOrNull(Prefix + name)?.As<T>(Prefix + name)
        ?? throw new GgufFormatException($"missing metadata '{Prefix}{name}'");

    private static T[]? OptionalArray<T>(GgufMetadata metadata, string name, int tokenCount)
    {
        var items = metadata.GetArrayOrNull(Prefix + name)?.As<T>(Prefix + name);
        if (items is not null && items.Length < tokenCount)
            throw new GgufFormatException($"metadata '{Prefix}{name}' has {items.Length} items for {tokenCount} tokens");
        return items;
    }
}
