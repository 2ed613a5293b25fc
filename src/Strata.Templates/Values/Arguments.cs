namespace Strata.Templates.Values;

/// <summary>The arguments of one call: positional values, then keyword values in the order written.</summary>
internal sealed class Arguments(IReadOnlyList<Value> positional, IReadOnlyList<KeyValuePair<string, Value>> named)
{
    public static readonly Arguments None = new([], []);

    public IReadOnlyList<Value> Positional { get; } = positional;

    public IReadOnlyList<KeyValuePair<string, Value>> Named { get; } = named;

    /// <summary>The argument at <paramref name="position"/>, or else the keyword <paramref name="name"/>; null if neither was given.</summary>
    public Value? Find(int position, string name)
    {
        return position >= 0 && position < Positional.Count ? Positional[position] : Keyword(name);
    }

    /// <summary>The keyword argument <paramref name="name"/>, or null if it was not given.</summary>
    public Value? Keyword(string name)
    {
        foreach (var (key, value) in Named)
        {
            if (key == name)
                return value;
        }
        return null;
    }

    public Value Get(int position, string name, Value fallback) => Find(position, name) ?? fallback;

    public Value Required(int position, string name, string function) =>
        Find(position, name) ?? throw new TemplateRuntimeException($"{function}() missing required argument '{name}'");

    /// <summary>These arguments without the first <paramref name="count"/> positional ones (for filters that forward the rest).</summary>
    public Arguments SkipPositional(int count) => new(Positional.Skip(count).ToList(), Named);
}
