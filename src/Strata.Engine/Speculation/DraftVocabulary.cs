using Strata.Models.Tokenizers;

namespace Strata.Engine.Speculation;

/// <summary>The draft method's precondition: the draft model's token ids mean what the target's mean.</summary>
internal static class DraftVocabulary
{
    /// <summary>Throws a clear error unless both vocabularies have the same tokens in the same order.</summary>
    public static void Check(Tokenizer target, Tokenizer draft, string draftPath)
    {
        if (draft.VocabSize != target.VocabSize)
            throw new ArgumentException($"the draft model {draftPath} has {draft.VocabSize} tokens but the target {target.VocabSize}: a draft model must share the target's vocabulary");
        for (var id = 0; id < target.VocabSize; id++)
        {
            if (draft.TokenText(id) != target.TokenText(id))
                throw new ArgumentException($"the draft model {draftPath} has a different vocabulary from the target: token {id} is '{draft.TokenText(id)}' there, '{target.TokenText(id)}' in the target");
        }
    }
}
