using Strata.Engine.Core;

namespace Strata.Engine.Control;

/// <summary>
/// Fits the step cost law (<see cref="StepCost"/>) online from the engine's own step records, by least squares with
/// exponential forgetting (so it follows a machine whose speed changes), regularised toward a start-up calibration so
/// that terms the records have not exercised yet (no decodes so far, say) keep their calibrated value. Drafted tokens have
/// a term of their own, fitted from the steps that verified drafts: priced as prompt tokens, as they once were, the cheap
/// rows of prompt chunks set their price and the speculator drafted where verifying cost more than it saved. With no
/// drafts seen for a while the term decays back to its calibrated value, so a speculator that stopped drafting tries
/// again. (Pulled toward the fitted decode term instead, a batch-1 server, whose fit cannot tell the decode term from
/// the fixed one and may give it the whole step, priced every draft at a step: a repeated templated workload on synth 1B
/// drafted 78 tokens in 16 requests and ran at 0.87x.) A step that verified drafts counts for at most
/// <see cref="MaxVerificationRatio"/> times what the law fitted so far predicts for it: a GC pause or a JIT-compiled path
/// in one of the few steps that fit the draft term would otherwise price drafting out. The engine thread observes;
/// <see cref="Current"/> may be read from any thread. The law is solved when read (and by a step that verified drafts, to
/// bound it), not per step (a simulated node steps millions of times and reads it rarely), so it always reflects every
/// step observed.
/// </summary>
internal sealed class StepCostModel
{
    private const int Terms = 5;

    /// <summary>
    /// The most a verifying step counts for, in times the law's prediction for it. Honest steps stay inside it (a
    /// verification row costs a few decode rows at most); a stall of ten or a hundred times a small model's step is cut
    /// to it, and when verification really costs more, each refit raises the next bound with it.
    /// </summary>
    public const double MaxVerificationRatio = 4;

    // Typical magnitudes of the terms, which scale the pull toward the calibration. The draft term's is one draft rather
    // than a step's typical four: its calibration is a guess (start-up measures no verification), so the first steps that
    // verify drafts should set it, not share a costly verification with the fixed term and let drafting go on for more.
    private static readonly double[] Scale = [1, 64, 16, 4096, 1];

    private readonly double[] _prior;
    private readonly double _priorWeight;
    private readonly double _forgetting;
    private readonly double[,] _xtx = new double[Terms, Terms];
    private readonly double[] _xty = new double[Terms];
    private readonly double[] _x = new double[Terms];
    private readonly double[,] _system = new double[Terms, Terms + 1];
    private readonly Lock _gate = new();
    private StepCost _current;
    private bool _stale;

    /// <param name="calibration">The law before any step was seen.</param>
    /// <param name="priorWeight">How many typical steps' worth of evidence the calibration counts for, per term: little, so a wrong calibration is soon outweighed.</param>
    /// <param name="forgetting">Each step's weight decays by this factor per later step (0.995: a memory of about 200 steps).</param>
    public StepCostModel(StepCost calibration, double priorWeight = 0.05, double forgetting = 0.995)
    {
        _current = calibration;
        _prior = [calibration.Fixed, calibration.PerPrefillToken, calibration.PerDecode, calibration.PerContextToken, calibration.PerDraftToken];
        _priorWeight = priorWeight;
        _forgetting = forgetting;
    }

    public StepCost Current
    {
        get
        {
            lock (_gate)
                return Fitted();
        }
    }

    public long Observed { get; private set; }

    public void Observe(StepRecord step) => Observe(step.PrefillTokens, step.DecodeSequences, step.ContextTokens, step.Seconds, step.DraftTokens);

    public void Observe(double prefillTokens, double decodes, double contextTokens, double seconds, double draftTokens = 0)
    {
        lock (_gate)
        {
            _x[0] = 1;
            _x[1] = prefillTokens;
            _x[2] = decodes;
            _x[3] = contextTokens;
            _x[4] = draftTokens;
            if (draftTokens > 0 && Fitted().Seconds(prefillTokens, decodes, contextTokens, draftTokens) is var predicted and > 0)
                seconds = Math.Min(seconds, MaxVerificationRatio * predicted);
            for (var i = 0; i < Terms; i++)
            {
                for (var j = 0; j < Terms; j++)
                    _xtx[i, j] = _forgetting * _xtx[i, j] + _x[i] * _x[j];
                _xty[i] = _forgetting * _xty[i] + _x[i] * seconds;
            }
            Observed++;
            _stale = true;
        }
    }

    /// <summary>The law fitted from every step observed so far (the caller holds the gate).</summary>
    private StepCost Fitted()
    {
        if (_stale)
        {
            _current = Solve();
            _stale = false;
        }
        return _current;
    }

    /// <summary>
    /// Solves (XᵀX + Λ) c = Xᵀy + Λ c₀ with every term non-negative: a term the fit makes negative is held at zero and
    /// the others solved again without it, until none is negative. Merely clamping such a term would keep the others'
    /// values from the fit that leaned on it: a batch-1 server, whose steps all have one decode, made the fixed term
    /// negative, and clamped to zero it left every step priced at four times its measured period.
    /// </summary>
    private StepCost Solve()
    {
        var zero = new bool[Terms];
        while (true)
        {
            var c = SolveFree(zero);
            var worst = -1;
            for (var i = 0; i < Terms; i++)
            {
                if (!zero[i] && c[i] < 0 && (worst < 0 || c[i] < c[worst]))
                    worst = i;
            }
            if (worst < 0)
                return new StepCost(c[0], c[1], c[2], c[3], c[4]);
            zero[worst] = true;
        }
    }

    /// <summary>The regularised least-squares terms with the <paramref name="zero"/> ones held at zero, by Gaussian elimination with partial pivoting.</summary>
    private double[] SolveFree(bool[] zero)
    {
        var a = _system;
        for (var i = 0; i < Terms; i++)
        {
            var lambda = _priorWeight * Scale[i] * Scale[i];
            for (var j = 0; j < Terms; j++)
                a[i, j] = zero[i] || zero[j] ? (i == j ? 1 : 0) : _xtx[i, j] + (i == j ? lambda : 0);
            a[i, Terms] = zero[i] ? 0 : _xty[i] + lambda * _prior[i];
        }
        for (var col = 0; col < Terms; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < Terms; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                    pivot = row;
            }
            for (var j = 0; j <= Terms; j++)
                (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var row = 0; row < Terms; row++)
            {
                if (row == col)
                    continue;
                var factor = a[row, col] / a[col, col];
                for (var j = col; j <= Terms; j++)
                    a[row, j] -= factor * a[col, j];
            }
        }
        var terms = new double[Terms];
        for (var i = 0; i < Terms; i++)
            terms[i] = a[i, Terms] / a[i, i];
        return terms;
    }
}
