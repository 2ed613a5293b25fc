namespace Strata.Models.Tests.Llama;

/// <summary>A decode step must not allocate on the managed heap, on the calling thread or on the pool's threads.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("tinyllamas-stories-260k-q4_0.gguf")]
    [InlineData("tinyllamas-stories-260k-q8_0.gguf")]
    [InlineData("tinyllamas-stories-260k-f32.gguf")]
    public void DecodeStep_AfterWarmUp_AllocatesNothing(string model)
    {
        using var harness = new ModelHarness(model, threads: 2);
        var table = harness.NewSequence(200);
        var batch = new ForwardBatch();
        var position = 0;
        void Step()
        {
            batch.Clear();
            var seq = batch.AddSequence(table);
            batch.AddToken(seq, 1 + position % 400, position, wantLogits: true);
            harness.Model.Forward(batch, harness.Kv, harness.Pool);
            position++;
        }

        for (var i = 0; i < 100; i++)
            Step();
        var before = GC.GetAllocatedBytesForCurrentThread() + harness.Pool.WorkerAllocatedBytes;
        for (var i = 0; i < 50; i++)
            Step();
        var after = GC.GetAllocatedBytesForCurrentThread() + harness.Pool.WorkerAllocatedBytes;

        Assert.Equal(0, after - before);
    }
}
