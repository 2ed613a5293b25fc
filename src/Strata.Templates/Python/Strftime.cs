using System.Globalization;
using System.Text;

namespace Strata.Templates.Python;

/// <summary>Python's <c>datetime.strftime</c> in the C locale, for the directives templates use.</summary>
internal static class Strftime
{
    public static string Format(DateTimeOffset time, string format)
    {
        var sb = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var directive = format[++i];
            sb.Append(directive switch
            {
                'Y' => time.Year.ToString("0000", invariant),
                'y' => (time.Year % 100).ToString("00", invariant),
                'm' => time.Month.ToString("00", invariant),
                'd' => time.Day.ToString("00", invariant),
                'e' => time.Day.ToString(invariant).PadLeft(2),
                'H' => time.Hour.ToString("00", invariant),
                'I' => ((time.Hour + 11) % 12 + 1).ToString("00", invariant),
                'M' => time.Minute.ToString("00", invariant),
                'S' => time.Second.ToString("00", invariant),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", invariant),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' or 'h' => time.ToString("MMM", invariant),
                'B' => time.ToString("MMMM", invariant),
                'a' => time.ToString("ddd", invariant),
                'A' => time.ToString("dddd", invariant),
                'j' => time.DayOfYear.ToString("000", invariant),
                'w' => ((int)time.DayOfWeek).ToString(invariant),
                'u' => (time.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)time.DayOfWeek).ToString(invariant),
                'z' => time.ToString("zzz", invariant).Replace(":", "", StringComparison.Ordinal),
                'F' => time.ToString("yyyy-MM-dd", invariant),
                'T' => time.ToString("HH:mm:ss", invariant),
                'D' => time.ToString("MM/dd/yy", invariant),
                '%' => "%",
                _ => "%" + directive,
            });
        }
        return sb.ToString();
    }
}
