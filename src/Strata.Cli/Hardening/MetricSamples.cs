using System.Globalization;

namespace Strata.Cli.Hardening;

/// <summary>The samples of one Prometheus text scrape, keyed as written (<c>name</c> or <c>name{label="value"}</c>), without timestamps.</summary>
internal sealed class MetricSamples(IReadOnlyDictionary<string, double> samples)
{
    public static MetricSamples Parse(string text)
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            // name or name{labels}, the value, and perhaps a timestamp (OpenTelemetry's exporter writes one, and an
            // unlabelled sample as name{}).
            var labelsEnd = line.LastIndexOf('}');
            var keyEnd = labelsEnd >= 0 ? labelsEnd + 1 : line.IndexOf(' ');
            if (keyEnd <= 0)
                continue;
            var fields = line[keyEnd..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length is 1 or 2 && double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[line[..keyEnd].Replace("{}", "", StringComparison.Ordinal)] = value;
        }
        return new MetricSamples(samples);
    }

    /// <summary>The sample's value, or null when the server does not report it.</summary>
    public double? this[string sample] => samples.TryGetValue(sample, out var value) ? value : null;

    /// <summary>API requests answered with a 5xx status, as <c>strata_requests_total</c> counts them; null when not reported.</summary>
    public double? ServerErrors => RequestsWhere(status => status >= 500);

    /// <summary>The sum of <c>strata_requests_total</c> over the statuses <paramref name="include"/> accepts.</summary>
    public double? RequestsWhere(Func<int, bool> include)
    {
        const string prefix = "strata_requests_total{status=\"";
        double? total = null;
        foreach (var (key, value) in samples)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(key.AsSpan(prefix.Length, key.Length - prefix.Length - 2), CultureInfo.InvariantCulture, out var status))
                total = (total ?? 0) + (include(status) ? value : 0);
        }
        return total;
    }
}
