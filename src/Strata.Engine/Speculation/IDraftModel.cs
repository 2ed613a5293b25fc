using Strata.Models;

namespace Strata.Engine.Speculation;

/// <summary>
/// The smaller model the <c>draft</c> method proposes with, over its own KV blocks: runs a batch (block tables from the
/// draft's own pool) and returns the logit rows the batch asked for. The seam between the engine and a real model, so
/// the core's tests can draft with a model-free one.
/// </summary>
internal interface IDraftModel
{
    int VocabSize { get; }

    /// <summary>Most positions a sequence may have in the draft's cache (its context length).</summary>
    int MaxPositions { get; }

    /// <summary>Blocks in the draft's KV pool.</summary>
    int BlockCount { get; }

    ReadOnlySpan<float> Forward(ForwardBatch batch);
}
