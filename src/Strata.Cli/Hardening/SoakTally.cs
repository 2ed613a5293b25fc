namespace Strata.Cli.Hardening;

/// <summary>What a soak's requests came to, counted from many workers at once.</summary>
internal sealed class SoakTally
{
    private const int ProblemsShown = 5;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _departures = [];
    private readonly Dictionary<string, int> _problems = [];

    public int Whole { get; private set; }

    public int Finished { get; private set; }

    public int Problems => _problems.Values.Sum();

    public void AddWhole() => Add(() => Whole++);

    public void AddDeparture(Departure departure) => Add(() => _departures[departure.ToString()] = _departures.GetValueOrDefault(departure.ToString()) + 1);

    public void AddProblem(string problem) => Add(() => _problems[problem] = _problems.GetValueOrDefault(problem) + 1);

    public void Write(TextWriter output)
    {
        lock (_lock)
        {
            output.WriteLine($"{"whole answers",-34} {Whole}");
            foreach (var (departure, count) in _departures.OrderBy(d => d.Key))
                output.WriteLine($"{"left " + departure,-34} {count}");
            output.WriteLine($"{"unexpected answers",-34} {Problems}");
            foreach (var (problem, count) in _problems.OrderByDescending(p => p.Value).Take(ProblemsShown))
                output.WriteLine($"  {count,6} x {problem}");
        }
    }

    private void Add(Action count)
    {
        lock (_lock)
        {
            count();
            Finished++;
        }
    }
}
