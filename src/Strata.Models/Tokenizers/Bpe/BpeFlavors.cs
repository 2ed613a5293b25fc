using Strata.Models.Tokenizers.PreTokenization;

namespace Strata.Models.Tokenizers.Bpe;

/// <summary>
/// The pre-tokenizers llama.cpp knows, by <c>tokenizer.ggml.pre</c> name. The patterns are the models' own (from
/// their tokenizer.json, in llama.cpp's ECMAScript-compatible spelling); the three most common are hand-written.
/// </summary>
internal static class BpeFlavors
{
    private const string Gpt2Numbers = @"\p{N}+";
    private const string CjkRuns = "[一-龥ࠀ-一가-퟿]+";

    public static BpeFlavor For(string? pre) => pre switch
    {
        null or "" or "default" => new(Default()),
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2" or "jina-v5-nano"
            => new([LlamaStyleSplitter.Llama3], IgnoreMerges: true, AddBos: true),
        "dbrx" or "smaug-bpe" => new([LlamaStyleSplitter.Llama3]),
        "glm4" or "chatglm-bpe" => new([LlamaStyleSplitter.Llama3], HasBos: false),
        "deepseek-llm" => new(DeepseekLlm(), CleanSpaces: false),
        "deepseek-coder" => new(DeepseekCoder(), CleanSpaces: false),
        "deepseek-v3" or "hunyuan-dense" or "joyai-llm" => new(Deepseek3(), CleanSpaces: false),
        "falcon" => new([Regex(@"[\p{P}\$\+<=>\^~\|`]+"), new Gpt2Splitter(), Regex("[0-9][0-9][0-9]")]),
        "starcoder" or "refact" or "codeshell" or "exaone" or "minerva-7b" or "mellum2" => new(Starcoder()),
        "command-r" or "smollm" => new(Starcoder(), CleanSpaces: false),
        "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v2-es" or "jina-v2-de" or "a.x-4.0"
            or "mellum" or "modern-bert" or "exaone4" or "mpt" or "olmo" or "jais" or "jina-v1-en" or "jina-v2-code"
            or "roberta-bpe" => new([new Gpt2Splitter()]),
        "trillion" or "granite-docling" => new([new Gpt2Splitter()], CleanSpaces: false),
        "qwen2" or "deepseek-r1-qwen" or "kormo" or "f2llmv2" or "hunyuan" or "solar-open" or "grok-2"
            => new([LlamaStyleSplitter.Qwen2], CleanSpaces: false),
        "megrez" or "stablelm2" => new([LlamaStyleSplitter.Qwen2]),
        "qwen35" => new([LlamaStyleSplitter.Qwen35], CleanSpaces: false),
        "laguna" => new([Regex(@"[^\n]+|[\n]+"), LlamaStyleSplitter.Qwen2], CleanSpaces: false),
        "poro-chat" => new([Regex(Poro)], CleanSpaces: false),
        "bloom" or "gpt3-finnish" => new([Regex(Poro)]),
        "viking" => new([Regex(Poro), Regex(@"\p{N}")], CleanSpaces: false),
        "tekken" => new([Regex(Tekken)], CleanSpaces: false, IgnoreMerges: true, AddBos: true),
        "gpt-4o" or "llama4" or "kanana2" or "talkie" or "minimax-m2" => new([Regex(Gpt4o)], CleanSpaces: false),
        "seed-coder" => new([Regex(SeedCoder)], CleanSpaces: false),
        "bailingmoe" or "bailingmoe2" or "llada-moe" => new([Regex(BailingMoe)], CleanSpaces: false),
        "minicpm5" => new([Regex(@"\p{N}{1,3}"), Regex(MiniCpm5)], IgnoreMerges: true),
        _ => throw new NotSupportedException($"pre-tokenizer '{pre}' (tokenizer.ggml.pre) is not supported"),
    };

    private const string Poro = " ?[^(\\s|.,!?…。，、।۔،)]+";

    private const string Tekken = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private const string Gpt4o = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private const string SeedCoder = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private const string BailingMoe = "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

    private const string MiniCpm5 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static IPreTokenizerStep[] Default() =>
        [Regex(@"[\p{P}\$\+<=>\^~\|]+"), new Gpt2Splitter(), Regex(Gpt2Numbers), Regex("[0-9][0-9][0-9]")];

    private static IPreTokenizerStep[] Starcoder() => [Regex(@"\p{N}"), new Gpt2Splitter()];

    private static IPreTokenizerStep[] DeepseekCoder() =>
        [Regex("[\r\n]"), Regex(@"\s?\p{L}+"), Regex(@"\s?\p{P}+"), Regex(CjkRuns), Regex(@"\p{N}")];

    private static IPreTokenizerStep[] DeepseekLlm() =>
    [
        Regex("[\r\n]"),
        // Six letters are written as \u escapes: they are canonical singletons that text tools normalise away.
        Regex("\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1F7Dᾀ-ᾴᾶ-ᾼ\u1FBEῂ-ῄῆ-ῌῐ-\u1FD3ῖ-\u1FDBῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212A-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+"),
        Regex("\\s?[!-/:-~！-／：-～‘-‟　-。]+"),
        Regex("\\s+$"),
        Regex(CjkRuns),
        Regex(Gpt2Numbers),
    ];

    private static IPreTokenizerStep[] Deepseek3() =>
    [
        Regex(@"\p{N}{1,3}"),
        Regex("[一-龥぀-ゟ゠-ヿ]+"),
        Regex("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
    ];

    private static RegexSplitter Regex(string pattern) => new(pattern);
}
