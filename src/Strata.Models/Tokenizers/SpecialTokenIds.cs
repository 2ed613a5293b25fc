namespace Strata.Models.Tokenizers;

/// <summary>The ids of a vocabulary's special tokens (<see cref="Tokenizer.NoToken"/> when it has none).</summary>
internal sealed class SpecialTokenIds
{
    public int Bos { get; set; } = Tokenizer.NoToken;
    public int Eos { get; set; } = Tokenizer.NoToken;
    public int Eot { get; set; } = Tokenizer.NoToken;
    public int Eom { get; set; } = Tokenizer.NoToken;
    public int Unknown { get; set; } = Tokenizer.NoToken;
    public int Separator { get; set; } = Tokenizer.NoToken;
    public int FimPrefix { get; set; } = Tokenizer.NoToken;
    public int FimSuffix { get; set; } = Tokenizer.NoToken;
    public int FimMiddle { get; set; } = Tokenizer.NoToken;
    public int FimPad { get; set; } = Tokenizer.NoToken;
    public int FimRepo { get; set; } = Tokenizer.NoToken;
    public int FimSeparator { get; set; } = Tokenizer.NoToken;
}
