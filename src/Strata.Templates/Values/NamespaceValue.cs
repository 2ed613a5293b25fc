using Strata.Templates.Python;

namespace Strata.Templates.Values;

/// <summary>The object <c>namespace()</c> returns: the one value a template may assign attributes on from inside a loop.</summary>
internal sealed class NamespaceValue : Value
{
    public Dictionary<string, Value> Attributes { get; } = new(StringComparer.Ordinal);

    public override string TypeName => "Namespace";

    public override string ToStr() =>
        "<Namespace {" + string.Join(", ", Attributes.Select(a => $"{PythonRepr.Quote(a.Key)}: {a.Value.ToRepr()}")) + "}>";

    public override Value? GetAttribute(string name) => Attributes.GetValueOrDefault(name);

    public override Value? GetItem(Value key) => key is StringValue s ? GetAttribute(s.Value) : null;
}
