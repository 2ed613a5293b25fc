namespace Strata.Models.Synth;

/// <summary>Sets values of one row of a synthetic matrix, after its random values are drawn.</summary>
internal delegate void RowWriter(int row, Span<float> values);
