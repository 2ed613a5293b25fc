namespace Strata.Templates.Values;

/// <summary>
/// What Jinja's map, select, reject, unique and friends return: a Python generator. It is always
/// true, has no length, cannot be serialized to JSON and can be iterated only once.
/// </summary>
internal sealed class GeneratorValue(string producer, IEnumerable<Value> source) : Value
{
    private bool _consumed;

    public override string TypeName => "generator";

    public override string ToStr() => $"<generator object {producer}>";

    public override IReadOnlyList<Value> Iterate()
    {
        if (_consumed)
            return [];
        _consumed = true;
        return source.ToList();
    }
}
