namespace Strata.Engine.Speculation;

/// <summary>
/// What a decode step costs, fitted online: seconds ≈ <see cref="Fixed"/> + <see cref="PerPosition"/> × positions, by
/// least squares over recent steps that ran no prompt tokens (older steps weigh less, as the machine's load drifts).
/// On a CPU the fixed part is reading the weights; the per-position part is the compute a draft adds.
/// </summary>
internal sealed class StepCostModel
{
    private const double Decay = 0.98;

    private double _n, _x, _y, _xx, _xy;

    public double Fixed { get; private set; }

    public double PerPosition { get; private set; }

    /// <summary>Steps seen with at least two different sizes, so the slope means something.</summary>
    public bool IsFitted { get; private set; }

    public void Observe(int positions, double seconds)
    {
        _n = _n * Decay + 1;
        _x = _x * Decay + positions;
        _y = _y * Decay + seconds;
        _xx = _xx * Decay + (double)positions * positions;
        _xy = _xy * Decay + positions * seconds;
        var variance = _n * _xx - _x * _x;
        if (variance <= 1e-9 * _n * _n)
            return;
        PerPosition = Math.Max(0, (_n * _xy - _x * _y) / variance);
        Fixed = Math.Max(0, (_y - PerPosition * _x) / _n);
        IsFitted = true;
    }
}
