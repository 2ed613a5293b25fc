using System.Globalization;

namespace Strata.Cli.Hardening;

/// <summary>What the fuzz cases found, counted from many workers at once.</summary>
internal sealed class FuzzTally
{
    private const int ViolationsShown = 20;

    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];

    public int Cases { get; private set; }

    public int ClientErrors { get; private set; }

    public int ErrorBodies { get; private set; }

    public int FieldChecks { get; private set; }

    public int FieldsNamed { get; private set; }

    public int ServerErrors { get; private set; }

    public int Unanswered { get; private set; }

    public int Violations => _violations.Count;

    public void Add(FuzzCase fuzzCase, RawHttpResponse? answer, FuzzJudge.Finding finding)
    {
        lock (_lock)
        {
            Cases++;
            var status = answer?.Status.ToString(CultureInfo.InvariantCulture) ?? (fuzzCase.Ending == FuzzEnding.Answer ? "none" : "left");
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            ClientErrors += finding.ClientError ? 1 : 0;
            ErrorBodies += finding.ErrorBody ? 1 : 0;
            FieldChecks += finding.NamesField is null ? 0 : 1;
            FieldsNamed += finding.NamesField == true ? 1 : 0;
            ServerErrors += answer?.Status >= 500 ? 1 : 0;
            Unanswered += answer is null && fuzzCase.Ending == FuzzEnding.Answer ? 1 : 0;
            if (finding.Violation is { } violation)
                _violations.Add($"{fuzzCase.Name}: {violation}");
        }
    }

    public void Write(TextWriter output)
    {
        lock (_lock)
        {
            output.WriteLine($"{"answers by status",-34} {string.Join(", ", _statuses.Select(s => $"{s.Key}: {s.Value}"))}");
            output.WriteLine($"{"4xx with an OpenAI error body",-34} {ErrorBodies} of {ClientErrors} ({Share(ErrorBodies, ClientErrors)})");
            output.WriteLine($"{"4xx naming the invalid field",-34} {FieldsNamed} of {FieldChecks} ({Share(FieldsNamed, FieldChecks)})");
            output.WriteLine($"{"violations",-34} {Violations}");
            foreach (var violation in _violations.Take(ViolationsShown))
                output.WriteLine($"  {ServeBenchmark.ErrorMessage.Shorten(violation)}");
        }
    }

    private static string Share(int part, int whole) => whole == 0 ? "n/a" : (part / (double)whole).ToString("P1", CultureInfo.InvariantCulture);
}
