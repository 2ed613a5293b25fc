namespace Strata.Models.Synth;

/// <summary>What a weight matrix of a Llama-family model does: the categories llama-quantize's mixes choose types by.</summary>
public enum MatrixRole
{
    TokenEmbedding,
    Output,
    Query,
    Key,
    Value,
    AttentionOutput,
    Gate,
    Up,
    Down,
}
