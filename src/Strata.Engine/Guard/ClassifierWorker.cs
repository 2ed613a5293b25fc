using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strata.Engine.Guard;

/// <summary>
/// Runs the classifier on its own thread, so decoding never waits for it: sessions queue text and read the verdict
/// when it is ready. The thread sleeps when there is nothing to score.
/// </summary>
internal sealed class ClassifierWorker : IDisposable
{
    private readonly BlockingCollection<(GuardSession Session, string Text, long UpTo)> _jobs = new();
    private readonly ClassifierSettings _settings;
    private readonly GuardStats _stats;
    private readonly Thread _thread;

    public ClassifierWorker(ClassifierSettings settings, GuardStats stats)
    {
        _settings = settings;
        _stats = stats;
        _thread = new Thread(Run) { IsBackground = true, Name = "strata-guard-classifier", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    public void Enqueue(GuardSession session, string text, long upTo) => _jobs.Add((session, text, upTo));

    /// <summary>Scores on the calling thread (for the last text of a sequence, which must be judged before it ends).</summary>
    public bool Violates(string text)
    {
        var start = Stopwatch.GetTimestamp();
        var violates = _settings.Classifier.Score(text) >= _settings.Threshold;
        _stats.CountClassification(Stopwatch.GetElapsedTime(start));
        return violates;
    }

    public void Dispose()
    {
        _jobs.CompleteAdding();
        _thread.Join();
        _jobs.Dispose();
    }

    private void Run()
    {
        foreach (var (session, text, upTo) in _jobs.GetConsumingEnumerable())
        {
            try
            {
                session.OnVerdict(upTo, Violates(text));
            }
            catch (Exception ex)
            {
                // A classifier that fails must not pass text it could not judge.
                Trace.TraceError($"content classifier failed: {ex}");
                session.OnVerdict(upTo, violates: true);
            }
        }
    }
}
