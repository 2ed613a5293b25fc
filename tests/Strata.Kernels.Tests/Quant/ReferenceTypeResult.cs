namespace Strata.Kernels.Tests.Quant;

/// <summary>Error and byte-exactness figures for one tensor type across a file's tensors.</summary>
internal sealed class ReferenceTypeResult
{
    public int Tensors { get; set; }
    public long Elements { get; set; }
    public double MaxAbsError { get; set; }
    public double SquaredError { get; set; }
    public double SquaredValue { get; set; }
    public long Blocks { get; set; }
    public long MismatchedBlocks { get; set; }

    public double RmsError => Math.Sqrt(SquaredError / Elements);

    public double RelativeRmsError => SquaredValue == 0 ? 0 : Math.Sqrt(SquaredError / SquaredValue);

    public override string ToString() =>
        $"{Tensors} tensors, {Elements} elements: max |err| {MaxAbsError:G4}, RMS err {RmsError:G4} ({RelativeRmsError:P3} of RMS), " +
        $"{MismatchedBlocks}/{Blocks} requantized blocks differ";
}
