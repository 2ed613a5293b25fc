using Strata.Templates.Builtins;
using Strata.Templates.Syntax;
using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>Evaluates expressions to values.</summary>
internal static class Evaluator
{
    public static Value Evaluate(Expression expression, Scope scope)
    {
        try
        {
            RuntimeStack.EnsureRoom();
            return EvaluateCore(expression, scope);
        }
        catch (Exception e) when (e is not TemplateException)
        {
            throw Errors.At(expression, e);
        }
    }

    public static Arguments EvaluateArguments(CallArguments arguments, Scope scope)
    {
        var positional = arguments.Positional.Select(a => Evaluate(a, scope)).ToList();
        if (arguments.Spread is not null)
        {
            var spread = Evaluate(arguments.Spread, scope);
            positional.AddRange(spread.Iterate() ?? throw new TemplateRuntimeException($"argument after * must be an iterable, not {spread.TypeName}"));
        }
        var named = arguments.Keywords.Select(k => new KeyValuePair<string, Value>(k.Name, Evaluate(k.Value, scope))).ToList();
        if (arguments.KeywordSpread is not null)
        {
            if (Evaluate(arguments.KeywordSpread, scope) is not DictValue spread)
                throw new TemplateRuntimeException("argument after ** must be a mapping");
            named.AddRange(spread.Entries.Select(e => new KeyValuePair<string, Value>(e.Key.ToStr(), e.Value)));
        }
        return new Arguments(positional, named);
    }

    public static Value ApplyFilters(IReadOnlyList<FilterCall> filters, Value input, Scope scope)
    {
        foreach (var filter in filters)
        {
            try
            {
                input = Filters.Apply(filter.Name, input, EvaluateArguments(filter.Arguments, scope));
            }
            catch (Exception e) when (e is not TemplateException)
            {
                throw Errors.At(filter.Line, e);
            }
        }
        return input;
    }

    private static Value EvaluateCore(Expression expression, Scope scope)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                return scope.Lookup(name.Name);
            case ListExpression list:
                return new ListValue(list.Items.Select(i => Evaluate(i, scope)).ToList());
            case TupleExpression tuple:
                return new ListValue(tuple.Items.Select(i => Evaluate(i, scope)).ToList(), isTuple: true);
            case DictExpression dict:
                return new DictValue(dict.Entries.Select(e => new KeyValuePair<Value, Value>(Hashable(Evaluate(e.Key, scope)), Evaluate(e.Value, scope))));
            case AttributeExpression attribute:
                return Access.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name);
            case ItemExpression item:
                return Access.GetItem(Evaluate(item.Target, scope), Evaluate(item.Key, scope));
            case SliceExpression slice:
                return Access.Slice(
                    Evaluate(slice.Target, scope),
                    slice.Start is null ? null : Evaluate(slice.Start, scope),
                    slice.Stop is null ? null : Evaluate(slice.Stop, scope),
                    slice.Step is null ? null : Evaluate(slice.Step, scope));
            case CallExpression call:
                return Evaluate(call.Callee, scope).Call(EvaluateArguments(call.Arguments, scope));
            case FilterExpression filter:
                return Filters.Apply(filter.Filter.Name, Evaluate(filter.Input, scope), EvaluateArguments(filter.Filter.Arguments, scope));
            case TestExpression test:
                return BoolValue.Of(TestPredicates.Apply(test.Name, Evaluate(test.Input, scope), EvaluateArguments(test.Arguments, scope)) != test.Negated);
            case UnaryExpression unary:
                var operand = Evaluate(unary.Operand, scope);
                return unary.Operator switch
                {
                    UnaryOperator.Not => BoolValue.Of(!operand.IsTruthy),
                    UnaryOperator.Negate => Operators.Negate(operand),
                    _ => Operators.Plus(operand),
                };
            case BinaryExpression binary:
                return EvaluateBinary(binary, scope);
            case CompareExpression compare:
                return BoolValue.Of(EvaluateCompare(compare, scope));
            case ConditionalExpression conditional:
                if (Evaluate(conditional.Test, scope).IsTruthy)
                    return Evaluate(conditional.Then, scope);
                return conditional.Otherwise is null
                    ? UndefinedValue.WithHint("the inline if-expression evaluated to false and no else section was defined.")
                    : Evaluate(conditional.Otherwise, scope);
            default:
                throw new TemplateRuntimeException($"unsupported expression {expression.GetType().Name}");
        }
    }

    // "and"/"or" return one of their operands, as in Python, and short-circuit.
    private static Value EvaluateBinary(BinaryExpression binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        return binary.Operator switch
        {
            BinaryOperator.And => left.IsTruthy ? Evaluate(binary.Right, scope) : left,
            BinaryOperator.Or => left.IsTruthy ? left : Evaluate(binary.Right, scope),
            BinaryOperator.Concat => StringValue.Of(left.ToStr() + Evaluate(binary.Right, scope).ToStr()),
            _ => Operators.Binary(binary.Operator, left, Evaluate(binary.Right, scope)),
        };
    }

    private static bool EvaluateCompare(CompareExpression compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var comparison in compare.Rest)
        {
            var right = Evaluate(comparison.Operand, scope);
            if (!Operators.Compare(comparison.Operator, left, right))
                return false;
            left = right;
        }
        return true;
    }

    private static Value Hashable(Value key) => key is ListValue { IsTuple: false } or DictValue
        ? throw new TemplateRuntimeException($"unhashable type: '{key.TypeName}'")
        : key;
}
