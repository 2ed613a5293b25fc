namespace Strata.Models.Tokenizers;

/// <summary>
/// llama.cpp's load-time rules for special tokens that GGUF files do not spell out: which tokens end generation,
/// which texts are really control tokens, and which specials swallow neighbouring whitespace. They work from token
/// texts, so they are collected here in one place.
/// </summary>
internal static class SpecialTokenRules
{
    private static readonly HashSet<string> EndOfTurnTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>",
        "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ];

    private static readonly HashSet<string> FimPrefixTexts = ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"];
    private static readonly HashSet<string> FimSuffixTexts = ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"];
    private static readonly HashSet<string> FimMiddleTexts = ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"];
    private static readonly HashSet<string> FimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"];
    private static readonly HashSet<string> FimRepoTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
    private static readonly HashSet<string> FimSeparatorTexts = ["<|file_sep|>"];
    private static readonly HashSet<string> EndOfMessageTexts = ["<|eom_id|>"];

    private static readonly HashSet<string> EndOfGenerationTexts =
    [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
    ];

    /// <summary>gpt-oss channel markers are rendered as text even though they are special.</summary>
    private static readonly HashSet<string> AlwaysRenderedTexts = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"];

    /// <summary>Finds EOT/EOM/FIM tokens by text, marks unused and control tokens, and returns the end-of-generation set.</summary>
    public static HashSet<int> Apply(Vocabulary vocabulary, SpecialTokenIds ids)
    {
        foreach (var (id, text) in DistinctTexts(vocabulary))
        {
            ids.Eot = Detect(vocabulary, ids.Eot, id, text, EndOfTurnTexts);
            ids.Eom = Detect(vocabulary, ids.Eom, id, text, EndOfMessageTexts);
            ids.FimPrefix = Detect(vocabulary, ids.FimPrefix, id, text, FimPrefixTexts);
            ids.FimSuffix = Detect(vocabulary, ids.FimSuffix, id, text, FimSuffixTexts);
            ids.FimMiddle = Detect(vocabulary, ids.FimMiddle, id, text, FimMiddleTexts);
            ids.FimPad = Detect(vocabulary, ids.FimPad, id, text, FimPadTexts);
            ids.FimRepo = Detect(vocabulary, ids.FimRepo, id, text, FimRepoTexts);
            ids.FimSeparator = Detect(vocabulary, ids.FimSeparator, id, text, FimSeparatorTexts);
        }

        foreach (var (id, text) in DistinctTexts(vocabulary))
        {
            if (vocabulary.Is(id, TokenAttributes.Control) && text.Contains("unused", StringComparison.Ordinal))
                vocabulary.Attributes[id] |= TokenAttributes.Unused;
        }

        var endOfGeneration = new HashSet<int>();
        AddIfSet(endOfGeneration, ids.FimPad, ids.FimRepo, ids.FimSeparator);
        foreach (var (id, text) in DistinctTexts(vocabulary))
        {
            if (EndOfGenerationTexts.Contains(text))
            {
                endOfGeneration.Add(id);
                vocabulary.Attributes[id] |= TokenAttributes.Control;
            }
        }
        foreach (var (id, text) in DistinctTexts(vocabulary))
        {
            if (AlwaysRenderedTexts.Contains(text))
                vocabulary.Attributes[id] = TokenAttributes.UserDefined;
        }
        AddIfSet(endOfGeneration, ids.Eos, ids.Eot, ids.Eom);

        // Harmony-style vocabularies end turns with <|return|> or <|call|>; there <|end|> only separates messages.
        var end = Find(vocabulary, endOfGeneration, "<|end|>");
        var hasCall = Find(vocabulary, endOfGeneration, "<|call|>") >= 0 || Find(vocabulary, endOfGeneration, "<|calls|>") >= 0;
        var hasReturnOrFlush = Find(vocabulary, endOfGeneration, "<|return|>") >= 0 || Find(vocabulary, endOfGeneration, "<|flush|>") >= 0;
        if (end >= 0 && hasCall && hasReturnOrFlush)
        {
            endOfGeneration.Remove(end);
            vocabulary.Attributes[end] = TokenAttributes.UserDefined;
        }

        // Gemma 4 has both <|tool_response> and </s>; there </s> is ordinary text.
        var closingS = Find(vocabulary, endOfGeneration, "</s>");
        if (closingS >= 0 && Find(vocabulary, endOfGeneration, "<|tool_response>") >= 0)
        {
            endOfGeneration.Remove(closingS);
            vocabulary.Attributes[closingS] = TokenAttributes.Normal;
        }
        return endOfGeneration;
    }

    /// <summary>Whitespace stripping around specials that llama.cpp enables by model name.</summary>
    public static void ApplyStripRules(Vocabulary vocabulary, IReadOnlyList<int> specialIds, string? pre, string? architecture, string? modelName)
    {
        var name = modelName?.ToLowerInvariant() ?? "";
        if (ContainsAny(pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || ContainsAny(architecture, "nomic-bert-moe", "jina-bert-v3"))
        {
            Set(vocabulary, "<mask>", TokenAttributes.LeftStrip, true);
        }
        else if (ContainsAny(name, "phi-3", "phi3"))
        {
            foreach (var id in specialIds)
                vocabulary.Attributes[id] |= TokenAttributes.RightStrip;
            Set(vocabulary, "</s>", TokenAttributes.RightStrip, true);
            foreach (var text in new[] { "<unk>", "<s>", "<|endoftext|>" })
                Set(vocabulary, text, TokenAttributes.RightStrip, false);
        }
        else if (name.Contains("modern-bert", StringComparison.Ordinal))
        {
            Set(vocabulary, "[MASK]", TokenAttributes.LeftStrip, true);
        }
    }

    /// <summary>Each distinct text once, with the id a lookup by that text gives (the last one).</summary>
    private static IEnumerable<(int Id, string Text)> DistinctTexts(Vocabulary vocabulary)
    {
        for (var id = 0; id < vocabulary.Count; id++)
        {
            if (vocabulary.IdOf(vocabulary.Texts[id]) == id)
                yield return (id, vocabulary.Texts[id]);
        }
    }

    private static int Detect(Vocabulary vocabulary, int current, int id, string text, HashSet<string> candidates)
    {
        if (current != Tokenizer.NoToken || !candidates.Contains(text))
            return current;
        vocabulary.Attributes[id] |= TokenAttributes.Control;
        return id;
    }

    private static void AddIfSet(HashSet<int> set, params int[] ids)
    {
        foreach (var id in ids)
        {
            if (id != Tokenizer.NoToken)
                set.Add(id);
        }
    }

    private static int Find(Vocabulary vocabulary, HashSet<int> ids, string text)
    {
        foreach (var id in ids)
        {
            if (vocabulary.Contains(id) && vocabulary.Texts[id] == text)
                return id;
        }
        return Tokenizer.NoToken;
    }

    private static bool ContainsAny(string? text, params string[] parts) =>
        text is not null && parts.Any(part => text.Contains(part, StringComparison.Ordinal));

    private static void Set(Vocabulary vocabulary, string text, TokenAttributes attribute, bool on)
    {
        var id = vocabulary.IdOf(text);
        if (id == Tokenizer.NoToken)
            return;
        if (on)
            vocabulary.Attributes[id] |= attribute;
        else
            vocabulary.Attributes[id] &= ~attribute;
    }
}
