using Strata.Grammar.Syntax;

namespace Strata.Grammar.Matching;

/// <summary>
/// Runs a <see cref="CompiledGrammar"/> as a pushdown automaton over bytes, the way llama.cpp's grammar sampler does
/// (a set of stacks, each expanded until its top is a byte set), but with stacks and states interned and every
/// byte transition memoized, so a state seen before advances by a table lookup. Not thread-safe: callers lock.
/// </summary>
internal sealed class GrammarAutomaton
{
    private readonly CompiledGrammar _grammar;
    private readonly Dictionary<(int Position, int Below), ParseStack> _stacks = [];
    private readonly Dictionary<StateKey, MatchState> _states = [];
    private readonly List<ParseStack> _expanded = [];
    private readonly HashSet<ParseStack> _seen = [];
    private bool _accepts;

    public GrammarAutomaton(CompiledGrammar grammar)
    {
        _grammar = grammar;
        Dead = Intern([], accepts: false);
        BeginExpansion();
        foreach (var start in grammar.Alternatives[grammar.Root])
            Expand(Push(start, null));
        Start = EndExpansion();
    }

    public MatchState Start { get; }

    public MatchState Dead { get; }

    public int StateCount => _states.Count;

    public MatchState Next(MatchState state, byte b)
    {
        if (state.CachedNext(b) is { } cached)
            return cached;
        MatchState next;
        if (!state.FirstBytes.Contains(b))
        {
            next = Dead;
        }
        else
        {
            BeginExpansion();
            var elements = _grammar.Elements;
            foreach (var stack in state.Stacks)
            {
                if (!_grammar.Sets[elements[stack.Position].Value].Contains(b))
                    continue;
                var after = stack.Position + 1;
                Expand(elements[after].Kind == ElementKind.End ? stack.Below : Push(after, stack.Below));
            }
            next = EndExpansion();
        }
        state.CacheNext(b, next);
        return next;
    }

    private void BeginExpansion()
    {
        _expanded.Clear();
        _seen.Clear();
        _accepts = false;
    }

    private MatchState EndExpansion()
    {
        _expanded.Sort((a, b) => a.Id.CompareTo(b.Id));
        return Intern([.. _expanded], _accepts);
    }

    /// <summary>Adds the stacks <paramref name="stack"/> stands for once every rule reference on top is replaced by its alternatives.</summary>
    private void Expand(ParseStack? stack)
    {
        if (stack is null)
        {
            _accepts = true;
            return;
        }
        if (!_seen.Add(stack))
            return;
        var element = _grammar.Elements[stack.Position];
        switch (element.Kind)
        {
            case ElementKind.Bytes:
                _expanded.Add(stack);
                break;
            case ElementKind.End:
                Expand(stack.Below);
                break;
            default:
                var after = stack.Position + 1;
                var below = _grammar.Elements[after].Kind == ElementKind.End ? stack.Below : Push(after, stack.Below);
                foreach (var start in _grammar.Alternatives[element.Value])
                    Expand(Push(start, below));
                break;
        }
    }

    private ParseStack Push(int position, ParseStack? below)
    {
        var key = (position, below?.Id ?? -1);
        if (!_stacks.TryGetValue(key, out var stack))
        {
            var minBytes = Math.Min(CompiledGrammar.Unreachable, _grammar.MinBytesFrom[position] + (below?.MinBytes ?? 0));
            stack = new ParseStack(_stacks.Count, position, below, minBytes);
            _stacks[key] = stack;
        }
        return stack;
    }

    private MatchState Intern(ParseStack[] stacks, bool accepts)
    {
        var key = new StateKey(stacks, accepts);
        if (_states.TryGetValue(key, out var state))
            return state;
        var first = default(ByteSet);
        var minBytes = accepts ? 0 : CompiledGrammar.Unreachable;
        foreach (var stack in stacks)
        {
            first = first.Union(_grammar.Sets[_grammar.Elements[stack.Position].Value]);
            minBytes = Math.Min(minBytes, stack.MinBytes);
        }
        state = new MatchState(_states.Count, stacks, accepts, first, minBytes);
        _states[key] = state;
        return state;
    }

    /// <summary>A state's identity: its stacks (interned, sorted by id) and whether it accepts.</summary>
    private readonly struct StateKey(ParseStack[] stacks, bool accepts) : IEquatable<StateKey>
    {
        private readonly ParseStack[] _stacks = stacks;
        private readonly bool _accepts = accepts;

        public bool Equals(StateKey other)
        {
            if (_accepts != other._accepts || _stacks.Length != other._stacks.Length)
                return false;
            for (var i = 0; i < _stacks.Length; i++)
            {
                if (!ReferenceEquals(_stacks[i], other._stacks[i]))
                    return false;
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is StateKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(_accepts);
            foreach (var stack in _stacks)
                hash.Add(stack.Id);
            return hash.ToHashCode();
        }
    }
}
