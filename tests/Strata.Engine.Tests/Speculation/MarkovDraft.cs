using Strata.Engine.Speculation;
using Strata.Models;

namespace Strata.Engine.Tests.Speculation;

/// <summary>
/// A model-free draft model for <see cref="MarkovRunner"/>'s vocabulary that is close to the target but not equal: after
/// token x it favours x + 1 less than the target does and x + 2 as well, so its drafts are drawn from a q unlike p.
/// </summary>
internal sealed class MarkovDraft : IDraftModel
{
    private float[] _logits = [];

    public int VocabSize => MarkovRunner.Vocabulary;

    public int MaxPositions => 4096;

    public int BlockCount => 4096;

    /// <summary>Tokens run so far (the draft's work, catch-up included).</summary>
    public long Tokens { get; private set; }

    public ReadOnlySpan<float> Forward(ForwardBatch batch)
    {
        Tokens += batch.TokenCount;
        var vocab = MarkovRunner.Vocabulary;
        if (_logits.Length < batch.LogitCount * vocab)
            _logits = new float[batch.LogitCount * vocab];
        for (var row = 0; row < batch.LogitCount; row++)
        {
            var logits = _logits.AsSpan(row * vocab, vocab);
            var last = batch.Tokens[batch.LogitTokens[row]];
            logits.Clear();
            logits[(last + 1) % vocab] = 1f;
            logits[(last + 2) % vocab] = 0.7f;
        }
        return _logits.AsSpan(0, batch.LogitCount * vocab);
    }
}
