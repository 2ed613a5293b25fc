using Strata.Kernels.MatMul;
using Strata.Kernels.Ops;
using Strata.Kernels.Quant;

namespace Strata.Models.Llama;

/// <summary>Hidden[t] ← the token's embedding row; the RoPE cos/sin tables for the token's position.</summary>
internal sealed unsafe class EmbedStage(ForwardPass pass, WeightMatrix table) : ITokenStage
{
    public void Run() => pass.PerToken(this);

    public void Apply(int item)
    {
        var c = pass.Config;
        var s = pass.Scratch;
        var row = new ReadOnlySpan<byte>(table.Row(pass.Batch.Tokens[item]), (int)table.RowBytes);
        Dequantizer.DequantizeRow(table.Type, row, s.Hidden.Slice((long)item * c.EmbeddingLength, c.EmbeddingLength));
        var half = c.RopeDimensions / 2;
        Rope.FillTable(pass.Batch.Positions[item], c.RopeDimensions, c.RopeFreqBase, c.RopeFreqScale,
            s.Cos.Slice((long)item * half, half), s.Sin.Slice((long)item * half, half));
    }
}
