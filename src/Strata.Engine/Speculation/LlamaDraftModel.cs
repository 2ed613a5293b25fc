using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Engine.Speculation;

/// <summary>A loaded draft model over its own KV memory, run on the target's compute threads (between the target's steps).</summary>
internal sealed class LlamaDraftModel(LoadedModel model, KvBuffer kv, ComputePool pool) : IDraftModel, IDisposable
{
    public int VocabSize => model.Config.VocabSize;

    public int MaxPositions => model.Config.ContextLength;

    public int BlockCount => kv.BlockCount;

    public ReadOnlySpan<float> Forward(ForwardBatch batch) => model.Model.Forward(batch, kv, pool);

    public void Dispose()
    {
        kv.Dispose();
        model.Dispose();
    }
}
