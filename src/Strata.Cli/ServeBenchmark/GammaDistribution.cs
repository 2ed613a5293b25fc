namespace Strata.Cli.ServeBenchmark;

/// <summary>Samples the gamma distribution (Marsaglia and Tsang's method), which the BCL does not offer.</summary>
internal static class GammaDistribution
{
    public static double Sample(Random random, double shape, double scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        if (shape < 1)
        {
            // Marsaglia-Tsang needs shape >= 1; Gamma(k) = Gamma(k + 1) * U^(1/k) lifts it there.
            var u = 1 - random.NextDouble();
            return Sample(random, shape + 1, scale) * Math.Pow(u, 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(random);
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return d * v * scale;
        }
    }

    private static double StandardNormal(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm away from zero.
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
