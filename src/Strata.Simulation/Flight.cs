using Strata.Engine.Requests;

namespace Strata.Simulation;

/// <summary>A request in flight on a simulated node: its events are read after each step that touched it and stamped with the step's end.</summary>
internal sealed class Flight(SimRequest request, int number, GenerationHandle handle, long arrival)
{
    private const double TicksPerMs = TimeSpan.TicksPerMillisecond;

    // One gap per token after the first, sized once: a long run must not regrow a list per request.
    private readonly float[] _gaps = new float[Math.Max(0, request.MaxTokens - 1)];
    private int _gapCount;
    private long _first;
    private long _last;
    private int _tokens;

    public SimRequest Request { get; } = request;

    /// <summary>The request's place in its workload.</summary>
    public int Number { get; } = number;

    /// <summary>Reads what the request published in a step that ended at <paramref name="now"/>; true once it has finished.</summary>
    /// <param name="started">Whether this step brought its first token.</param>
    public bool Drain(long now, out bool started)
    {
        started = false;
        var finished = false;
        while (handle.Events.TryRead(out var e))
        {
            switch (e)
            {
                case TokenEvent when _tokens++ == 0:
                    _first = now;
                    started = true;
                    break;
                case TokenEvent:
                    _gaps[_gapCount++] = (float)((now - _last) / TicksPerMs);
                    break;
                case FinishEvent:
                    finished = true;
                    break;
            }
            if (e is TokenEvent)
                _last = now;
        }
        return finished;
    }

    /// <summary>Takes one token per step of a decode run, each at its step's end (the request has its first token already).</summary>
    public void Receive(ReadOnlySpan<long> ends)
    {
        foreach (var end in ends)
        {
            _gaps[_gapCount++] = (float)((end - _last) / TicksPerMs);
            _last = end;
        }
        _tokens += ends.Length;
    }

    public RequestOutcome Outcome(int node) => new(
        Request.ArrivalSeconds, Number, node, Request.Prompt.Length, _tokens, handle.CachedTokens,
        VirtualClock.ToSeconds(_first - arrival), VirtualClock.ToSeconds(_last - arrival),
        _gapCount == _gaps.Length ? _gaps : _gaps[.._gapCount], Tier: Request.Tier);
}
