using Strata.Templates.Runtime;
using Strata.Templates.Syntax;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>Jinja's tests, the predicates of <c>value is name(args)</c>, with Python's notion of each type.</summary>
internal static class TestPredicates
{
    private static readonly Dictionary<string, Func<Value, Arguments, bool>> Registry = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not UndefinedValue,
        ["undefined"] = (v, _) => v is UndefinedValue,
        ["none"] = (v, _) => v is NoneValue,
        ["boolean"] = (v, _) => v is BoolValue,
        ["true"] = (v, _) => v is BoolValue { Value: true },
        ["false"] = (v, _) => v is BoolValue { Value: false },
        ["integer"] = (v, _) => v is IntValue,
        ["float"] = (v, _) => v is FloatValue,
        // bool is a number in Python.
        ["number"] = (v, _) => v is IntValue or FloatValue or BoolValue,
        ["string"] = (v, _) => v is StringValue,
        ["mapping"] = (v, _) => v is DictValue,
        // Jinja's undefined defines __iter__, __len__ and __getitem__, so it counts as iterable and as a sequence.
        ["iterable"] = (v, _) => v.Iterate() is not null,
        ["sequence"] = (v, _) => v is StringValue or ListValue or DictValue or UndefinedValue,
        ["callable"] = (v, _) => v is FunctionValue or LoopValue or UndefinedValue,
        ["sameas"] = (v, a) => SameAs(v, a.Required(0, "other", "sameas")),
        ["escaped"] = (v, _) => v is StringValue { IsMarkup: true },
        ["in"] = (v, a) => Operators.Contains(a.Required(0, "seq", "in"), v),
        ["eq"] = Comparing(CompareOperator.Equal),
        ["equalto"] = Comparing(CompareOperator.Equal),
        ["=="] = Comparing(CompareOperator.Equal),
        ["ne"] = Comparing(CompareOperator.NotEqual),
        ["!="] = Comparing(CompareOperator.NotEqual),
        ["lt"] = Comparing(CompareOperator.Less),
        ["lessthan"] = Comparing(CompareOperator.Less),
        ["<"] = Comparing(CompareOperator.Less),
        ["le"] = Comparing(CompareOperator.LessOrEqual),
        ["<="] = Comparing(CompareOperator.LessOrEqual),
        ["gt"] = Comparing(CompareOperator.Greater),
        ["greaterthan"] = Comparing(CompareOperator.Greater),
        [">"] = Comparing(CompareOperator.Greater),
        ["ge"] = Comparing(CompareOperator.GreaterOrEqual),
        [">="] = Comparing(CompareOperator.GreaterOrEqual),
        ["divisibleby"] = (v, a) => Operators.Binary(BinaryOperator.Modulo, v, a.Required(0, "num", "divisibleby")).Equals(IntValue.Of(0)),
        ["even"] = (v, _) => Operators.Binary(BinaryOperator.Modulo, v, IntValue.Of(2)).Equals(IntValue.Of(0)),
        ["odd"] = (v, _) => Operators.Binary(BinaryOperator.Modulo, v, IntValue.Of(2)).Equals(IntValue.Of(1)),
        ["lower"] = (v, _) => v is StringValue s && s.Value.Any(char.IsLower) && !s.Value.Any(char.IsUpper),
        ["upper"] = (v, _) => v is StringValue s && s.Value.Any(char.IsUpper) && !s.Value.Any(char.IsLower),
        ["filter"] = (v, _) => v is StringValue s && Filters.Exists(s.Value),
        ["test"] = (v, _) => v is StringValue s && Exists(s.Value),
    };

    public static bool Exists(string name) => Registry.ContainsKey(name);

    public static bool Apply(string name, Value value, Arguments arguments) =>
        Registry.TryGetValue(name, out var test)
            ? test(value, arguments)
            : throw new TemplateRuntimeException($"No test named '{name}'.");

    private static Func<Value, Arguments, bool> Comparing(CompareOperator op) =>
        (v, a) => Operators.Compare(op, v, a.Required(0, "other", "comparison"));

    // Python's "is": singletons (None, True, False) are the only values templates compare by identity.
    private static bool SameAs(Value value, Value other) =>
        ReferenceEquals(value, other) || (value is IntValue i && other is IntValue j && i.Value == j.Value);
}
