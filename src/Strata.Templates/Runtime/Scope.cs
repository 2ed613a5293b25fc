using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>
/// Variables visible at one point of a template. Jinja gives <c>for</c> bodies (each iteration),
/// macros, <c>with</c> and captured blocks their own scope; <c>if</c> does not create one. A child
/// reads its parents but assigns only to itself, so a <c>set</c> inside a loop never leaks out.
/// </summary>
internal sealed class Scope
{
    private readonly Scope? _parent;
    private readonly Dictionary<string, Value> _variables = new(StringComparer.Ordinal);

    public Scope(IEnumerable<KeyValuePair<string, Value>> variables)
    {
        foreach (var (name, value) in variables)
            _variables[name] = value;
    }

    private Scope(Scope parent) => _parent = parent;

    public Scope CreateChild() => new(this);

    public Value Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope._parent)
        {
            if (scope._variables.TryGetValue(name, out var value))
                return value;
        }
        return UndefinedValue.Named(name);
    }

    public void Set(string name, Value value) => _variables[name] = value;
}
