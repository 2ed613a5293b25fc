namespace Strata.Templates.Values;

/// <summary>The <c>loop</c> variable inside a <c>for</c> body.</summary>
internal sealed class LoopValue(IReadOnlyList<Value> items, int depth0, Func<Value, Value>? recurse) : Value
{
    private Value? _lastChanged;

    /// <summary>The zero-based position of the current iteration; the loop advances it.</summary>
    public int Index0 { get; set; }

    public override string TypeName => "LoopContext";

    public override string ToStr() => $"<LoopContext {Index0 + 1}/{items.Count}>";

    public override IReadOnlyList<Value> Iterate() => items;

    public override int? Length => items.Count;

    public override Value? GetAttribute(string name) => name switch
    {
        "index" => IntValue.Of(Index0 + 1),
        "index0" => IntValue.Of(Index0),
        "revindex" => IntValue.Of(items.Count - Index0),
        "revindex0" => IntValue.Of(items.Count - Index0 - 1),
        "first" => BoolValue.Of(Index0 == 0),
        "last" => BoolValue.Of(Index0 == items.Count - 1),
        "length" => IntValue.Of(items.Count),
        "depth" => IntValue.Of(depth0 + 1),
        "depth0" => IntValue.Of(depth0),
        "previtem" => Index0 > 0 ? items[Index0 - 1] : UndefinedValue.WithHint("there is no previous item"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : UndefinedValue.WithHint("there is no next item"),
        "cycle" => new FunctionValue("loop.cycle", Cycle),
        "changed" => new FunctionValue("loop.changed", Changed),
        _ => null,
    };

    public override Value Call(Arguments arguments)
    {
        if (recurse is null)
            throw new TemplateRuntimeException("the loop must have the 'recursive' marker to be called");
        if (arguments.Positional.Count != 1)
            throw new TemplateRuntimeException("loop() takes exactly one argument");
        return recurse(arguments.Positional[0]);
    }

    private Value Cycle(Arguments arguments)
    {
        if (arguments.Positional.Count == 0)
            throw new TemplateRuntimeException("no items for cycling given");
        return arguments.Positional[Index0 % arguments.Positional.Count];
    }

    private Value Changed(Arguments arguments)
    {
        var current = new ListValue([.. arguments.Positional]);
        if (current.Equals(_lastChanged))
            return BoolValue.False;
        _lastChanged = current;
        return BoolValue.True;
    }
}
