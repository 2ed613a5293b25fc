using System.Text.RegularExpressions;

namespace Strata.Engine.Guard;

/// <summary>
/// The guard's view of one sequence's text stream. Text is released only once it is known to be clean: text that
/// could still become a banned phrase is held, patterns look back over a window of recent text (and hold that much),
/// and with a classifier text waits for its verdict. On a violation nothing more is released. Push and Flush run on
/// the engine thread; verdicts arrive from the classifier thread.
/// </summary>
internal sealed class GuardSession
{
    private readonly object _verdictGate = new();
    private readonly List<GuardRule<string>> _phrases;
    private readonly List<GuardRule<Regex>> _patterns;
    private readonly ClassifierSettings? _classifier;
    private readonly ClassifierWorker? _worker;
    private readonly GuardStats _stats;
    private readonly int _window;
    private string _pending = "";
    private string _tail = "";
    private long _released;
    private long _total;
    private int _tokensSinceScored;
    private long _verified;
    private long _submitted;
    private bool _classifierFlagged;

    public GuardSession(GuardPolicy policy, IReadOnlyCollection<string> categories, ClassifierWorker? worker, GuardStats stats)
    {
        _phrases = policy.Phrases.Where(r => policy.Applies(r.Category, categories)).ToList();
        _patterns = policy.Patterns.Where(r => policy.Applies(r.Category, categories)).ToList();
        _classifier = policy.Classifier is { } c && policy.Applies(c.Category, categories) ? c : null;
        _worker = _classifier is null ? null : worker;
        _window = policy.PatternWindowChars;
        _stats = stats;
    }

    public bool Violated { get; private set; }

    /// <summary>Adds the text of one token (or the text released at the end, with <paramref name="isToken"/> false); returns what is now safe to send.</summary>
    public string Push(string text, bool isToken = true)
    {
        if (Violated)
            return "";
        _pending += text;
        _total += text.Length;
        if (FindPhrase() || FindPattern())
            return "";
        if (_worker is not null && isToken && ++_tokensSinceScored >= _classifier!.EveryTokens)
        {
            _tokensSinceScored = 0;
            AwaitVerdict(_submitted);
            _submitted = _total;
            _worker.Enqueue(this, _tail + _pending, _total);
        }
        if (ClassifierFlagged())
            return "";
        var hold = Math.Max(PhrasePrefixLength(), _patterns.Count > 0 ? Math.Min(_window, _pending.Length) : 0);
        var limit = _pending.Length - hold;
        if (_worker is not null)
            limit = (int)Math.Min(limit, Verified() - _released);
        return Release(Math.Max(limit, 0));
    }

    /// <summary>At the end of the sequence: judges whatever the classifier has not seen yet and releases the rest.</summary>
    public string Flush()
    {
        if (Violated || ClassifierFlagged())
            return "";
        if (_worker is not null && Verified() < _total && _worker.Violates(_tail + _pending))
        {
            Violate("classifier", _classifier!.Category);
            return "";
        }
        return Release(_pending.Length);
    }

    /// <summary>Called by the classifier thread with its verdict on the text up to <paramref name="upTo"/>.</summary>
    public void OnVerdict(long upTo, bool violates)
    {
        lock (_verdictGate)
        {
            if (violates)
                _classifierFlagged = true;
            else
                _verified = Math.Max(_verified, upTo);
            Monitor.PulseAll(_verdictGate);
        }
    }

    /// <summary>
    /// Backpressure: a window's verdict must be in before the next window is sent, so a violation stops the sequence
    /// within two windows even if the classifier falls behind (it scores a window in microseconds, so this never waits
    /// in practice).
    /// </summary>
    private void AwaitVerdict(long upTo)
    {
        lock (_verdictGate)
        {
            while (_verified < upTo && !_classifierFlagged)
                Monitor.Wait(_verdictGate);
        }
    }

    private long Verified()
    {
        lock (_verdictGate)
            return _verified;
    }

    private bool ClassifierFlagged()
    {
        bool flagged;
        lock (_verdictGate)
            flagged = _classifierFlagged;
        if (flagged)
            Violate("classifier", _classifier!.Category);
        return flagged;
    }

    private bool FindPhrase()
    {
        foreach (var phrase in _phrases)
        {
            if (_pending.Contains(phrase.Value, StringComparison.OrdinalIgnoreCase))
            {
                Violate("phrase", phrase.Category);
                return true;
            }
        }
        return false;
    }

    private bool FindPattern()
    {
        if (_patterns.Count == 0)
            return false;
        var text = _tail + _pending;
        foreach (var pattern in _patterns)
        {
            if (Matches(pattern.Value, text))
            {
                Violate("pattern", pattern.Category);
                return true;
            }
        }
        return false;
    }

    // Fail closed: text a pattern could not be checked against is not released.
    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }

    /// <summary>The longest end of the pending text that is the start of a banned phrase.</summary>
    private int PhrasePrefixLength()
    {
        var longest = 0;
        foreach (var phrase in _phrases)
        {
            for (var length = Math.Min(phrase.Value.Length - 1, _pending.Length); length > longest; length--)
            {
                if (_pending.AsSpan(_pending.Length - length).Equals(phrase.Value.AsSpan(0, length), StringComparison.OrdinalIgnoreCase))
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private string Release(int length)
    {
        var released = _pending[..length];
        _pending = _pending[length..];
        _released += length;
        var context = Math.Max(_window, _classifier?.ContextChars ?? 0);
        _tail = (_tail + released) is var t && t.Length > context ? t[^context..] : t;
        return released;
    }

    private void Violate(string kind, string category)
    {
        if (Violated)
            return;
        Violated = true;
        _pending = "";
        _stats.CountViolation(kind, category);
    }
}
