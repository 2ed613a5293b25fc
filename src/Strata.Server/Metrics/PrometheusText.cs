using System.Globalization;
using System.Text;

namespace Strata.Server.Metrics;

/// <summary>Writes metric families in the Prometheus text exposition format (version 0.0.4).</summary>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public void Family(string name, string type, string help) =>
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
             .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public void Sample(string name, double value, string? labelName = null, string? labelValue = null)
    {
        _text.Append(name);
        if (labelName is not null)
            _text.Append('{').Append(labelName).Append("=\"").Append(Escape(labelValue!)).Append("\"}");
        _text.Append(' ').Append(Format(value)).Append('\n');
    }

    public void Sample(string name, double value, IEnumerable<(string Name, string Value)> labels)
    {
        _text.Append(name).Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append("} ").Append(Format(value)).Append('\n');
    }

    public void Gauge(string name, string help, double value)
    {
        Family(name, "gauge", help);
        Sample(name, value);
    }

    public void Counter(string name, string help, double value)
    {
        Family(name, "counter", help);
        Sample(name, value);
    }

    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    public override string ToString() => _text.ToString();

    private static string Escape(string label) => label.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
