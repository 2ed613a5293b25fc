namespace Strata.Templates.Values;

/// <summary>Anything callable from a template: globals, bound methods, macros, <c>caller</c>.</summary>
internal sealed class FunctionValue(string name, Func<Arguments, Value> body) : Value
{
    public string Name { get; } = name;

    public override string TypeName => "function";

    public override string ToStr() => $"<function {Name}>";

    public override Value Call(Arguments arguments) => body(arguments);
}
