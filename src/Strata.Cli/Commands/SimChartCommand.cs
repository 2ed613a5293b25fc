using System.CommandLine;
using System.Globalization;
using Strata.Plots;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata sim chart</c>: draws a CSV of simulation results (a header row, then one row per point) as lines — one
/// per value of the <c>--series</c> column — with the project's charts, for the sweeps the scripts in
/// <c>bench/simulation</c> run (routers against rate, topologies against a tightening SLO).
/// </summary>
internal static class SimChartCommand
{
    public static Command Create()
    {
        var csv = new Argument<string>("csv") { Description = "The CSV file: a header row, then one row per point" };
        var x = new Option<string>("--x") { Description = "The column along the x axis", Required = true };
        var y = new Option<string>("--y") { Description = "The column along the y axis", Required = true };
        var series = new Option<string?>("--series") { Description = "The column whose values name the lines (one line when left out)" };
        var title = new Option<string>("--title") { Description = "The chart's title", DefaultValueFactory = _ => "" };
        var xLabel = new Option<string?>("--x-label") { Description = "The x axis label (default: the column's name)" };
        var yLabel = new Option<string?>("--y-label") { Description = "The y axis label (default: the column's name)" };
        var output = new Option<string>("-o", "--output") { Description = "The PNG file to write", Required = true };
        var command = new Command("chart", "Draw a CSV of simulation results as lines (PNG)") { csv, x, y, series, title, xLabel, yLabel, output };
        command.SetAction(result => CliRunner.Run(() =>
        {
            var path = result.GetValue(csv)!;
            var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split(',')).ToArray();
            if (lines.Length < 2)
                throw new ArgumentException($"{path} holds no rows under its header");
            var header = lines[0];
            int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i : throw new ArgumentException($"{path} has no column '{name}' (it has {string.Join(", ", header)})");
            var (xi, yi) = (Column(result.GetValue(x)!), Column(result.GetValue(y)!));
            var si = result.GetValue(series) is { } name ? Column(name) : -1;
            double Number(string[] row, int i) => row.Length > i && double.TryParse(row[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new ArgumentException($"{path}: '{(row.Length > i ? row[i] : "")}' in column {header[i]} is not a number");
            var drawn = lines.Skip(1).GroupBy(row => si < 0 ? "" : row[si]).Select(g =>
            {
                var points = g.Select(row => (X: Number(row, xi), Y: Number(row, yi))).OrderBy(p => p.X).ToArray();
                return (g.Key, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            }).ToArray();
            var file = result.GetValue(output)!;
            Chart.Lines(file, result.GetValue(title)!, result.GetValue(xLabel) ?? header[xi], result.GetValue(yLabel) ?? header[yi], drawn);
            result.InvocationConfiguration.Error.WriteLine($"wrote {file}");
            return 0;
        }));
        return command;
    }
}
