using ScottPlot;

namespace Strata.Plots;

/// <summary>PNG charts of benchmark results: cumulative distributions, series over time, labelled bars.</summary>
public static class Chart
{
    private const int Width = 900;
    private const int Height = 540;

    /// <summary>
    /// The empirical cumulative distribution of each series (fraction of samples at or below x), such as the time to
    /// first token of every request; a series with no samples is left out.
    /// </summary>
    public static void Cdf(string path, string title, string xLabel, IReadOnlyList<(string Label, double[] Samples)> series)
    {
        var plot = Create(title, xLabel, "fraction of requests");
        foreach (var (label, samples) in series.Where(s => s.Samples.Length > 0))
        {
            var sorted = samples.Order().ToArray();
            var fractions = Enumerable.Range(1, sorted.Length).Select(i => (double)i / sorted.Length).ToArray();
            var line = plot.Add.Scatter(sorted, fractions);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LegendText = label;
        }
        plot.Axes.SetLimitsY(0, 1.02);
        Save(plot, path, showLegend: series.Count > 1);
    }

    /// <summary>One or more series of (x, y) points joined by lines, such as throughput per second of a run.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Label, double[] X, double[] Y)> series)
    {
        var plot = Create(title, xLabel, yLabel);
        foreach (var (label, x, y) in series.Where(s => s.X.Length > 0))
        {
            var line = plot.Add.Scatter(x, y);
            line.LegendText = label;
        }
        plot.Axes.SetLimitsY(0, Math.Max(1, series.SelectMany(s => s.Y).DefaultIfEmpty(0).Max() * 1.1));
        Save(plot, path, showLegend: series.Count > 1);
    }

    /// <summary>One labelled bar per value, with the value written above it.</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        var plot = Create(title, "", yLabel);
        var drawn = plot.Add.Bars(bars.Select(b => b.Value).ToArray());
        foreach (var bar in drawn.Bars)
            bar.Label = bar.Value.ToString(bar.Value >= 100 ? "F0" : "G3", System.Globalization.CultureInfo.InvariantCulture);
        drawn.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => b.Label).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, Math.Max(1, bars.Select(b => b.Value).DefaultIfEmpty(0).Max() * 1.15));
        Save(plot, path, showLegend: false);
    }

    private static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static void Save(Plot plot, string path, bool showLegend)
    {
        if (showLegend)
            plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
    }
}
