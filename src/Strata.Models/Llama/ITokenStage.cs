namespace Strata.Models.Llama;

/// <summary>Work done for one token (or one row) at a time, independently of the others, between the matmuls.</summary>
internal interface ITokenStage
{
    void Apply(int item);
}
