using System.Text;
using Strata.Templates.Syntax;
using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>Executes statements, writing the rendering to an output buffer.</summary>
internal static class Interpreter
{
    public static Flow Execute(IReadOnlyList<Statement> body, Scope scope, StringBuilder output)
    {
        foreach (var statement in body)
        {
            var flow = Execute(statement, scope, output);
            if (flow != Flow.Normal)
                return flow;
        }
        return Flow.Normal;
    }

    /// <summary>Calls a macro or a call block's body: binds the arguments in a new scope below <paramref name="defining"/> and renders.</summary>
    public static Value Invoke(IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Statement> body, Scope defining, Arguments arguments)
    {
        var scope = defining.CreateChild();
        var keywords = new DictValue();
        foreach (var (name, value) in arguments.Named)
        {
            if (name == "caller")
                scope.Set(name, value);
            else if (parameters.All(p => p.Name != name))
                keywords.Entries[StringValue.Of(name)] = value;
        }
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var value = arguments.Find(i, parameter.Name)
                ?? (parameter.Default is null ? UndefinedValue.WithHint($"parameter '{parameter.Name}' was not provided") : Evaluator.Evaluate(parameter.Default, scope));
            scope.Set(parameter.Name, value);
        }
        scope.Set("varargs", new ListValue(arguments.Positional.Skip(parameters.Count).ToList(), isTuple: true));
        scope.Set("kwargs", keywords);
        var output = new StringBuilder();
        Execute(body, scope, output);
        return StringValue.Of(output.ToString());
    }

    private static Flow Execute(Statement statement, Scope scope, StringBuilder output)
    {
        try
        {
            return ExecuteCore(statement, scope, output);
        }
        catch (Exception e) when (e is not TemplateException)
        {
            throw Errors.At(statement, e);
        }
    }

    private static Flow ExecuteCore(Statement statement, Scope scope, StringBuilder output)
    {
        RuntimeStack.EnsureRoom();
        switch (statement)
        {
            case TextStatement text:
                output.Append(text.Text);
                return Flow.Normal;
            case OutputStatement print:
                output.Append(Evaluator.Evaluate(print.Expression, scope).ToStr());
                return Flow.Normal;
            case IfStatement branch:
                return Execute(Evaluator.Evaluate(branch.Test, scope).IsTruthy ? branch.Body : branch.Else, scope, output);
            case ForStatement loop:
                RunLoop(loop, Evaluator.Evaluate(loop.Iterable, scope), scope, output, depth0: 0);
                return Flow.Normal;
            case SetStatement set:
                Assign(set.Target, Evaluator.Evaluate(set.Value, scope), scope);
                return Flow.Normal;
            case SetBlockStatement set:
                Assign(set.Target, Evaluator.ApplyFilters(set.Filters, Capture(set.Body, scope), scope), scope);
                return Flow.Normal;
            case MacroStatement macro:
                scope.Set(macro.Name, new FunctionValue(macro.Name, arguments => Invoke(macro.Parameters, macro.Body, scope, arguments)));
                return Flow.Normal;
            case CallBlockStatement call:
                output.Append(CallWithCaller(call, scope).ToStr());
                return Flow.Normal;
            case FilterBlockStatement filter:
                output.Append(Evaluator.ApplyFilters(filter.Filters, Capture(filter.Body, scope), scope).ToStr());
                return Flow.Normal;
            case WithStatement with:
                var inner = scope.CreateChild();
                foreach (var assignment in with.Assignments)
                    Assign(assignment.Target, Evaluator.Evaluate(assignment.Value, scope), inner);
                return Execute(with.Body, inner, output);
            case GenerationStatement generation:
                return Execute(generation.Body, scope, output);
            case BreakStatement:
                return Flow.Break;
            case ContinueStatement:
                return Flow.Continue;
            default:
                throw new TemplateRuntimeException($"unsupported statement {statement.GetType().Name}");
        }
    }

    private static void RunLoop(ForStatement loop, Value iterable, Scope scope, StringBuilder output, int depth0)
    {
        IReadOnlyList<Value> items = iterable.Iterate()
            ?? throw new TemplateRuntimeException($"'{iterable.TypeName}' object is not iterable");
        if (loop.Filter is not null)
            items = items.Where(item => PassesFilter(loop, item, scope)).ToList();
        Func<Value, Value>? recurse = loop.Recursive
            ? nested =>
            {
                var rendered = new StringBuilder();
                RunLoop(loop, nested, scope, rendered, depth0 + 1);
                return StringValue.Of(rendered.ToString());
            }
            : null;
        var context = new LoopValue(items, depth0, recurse);
        for (var i = 0; i < items.Count; i++)
        {
            context.Index0 = i;
            var iteration = scope.CreateChild();
            Assign(loop.Target, items[i], iteration);
            iteration.Set("loop", context);
            if (Execute(loop.Body, iteration, output) == Flow.Break)
                break;
        }
        if (items.Count == 0)
            Execute(loop.Else, scope.CreateChild(), output);
    }

    // The "for x in xs if test" filter sees the loop target but not the new loop variable.
    private static bool PassesFilter(ForStatement loop, Value item, Scope scope)
    {
        var candidate = scope.CreateChild();
        Assign(loop.Target, item, candidate);
        return Evaluator.Evaluate(loop.Filter!, candidate).IsTruthy;
    }

    private static Value CallWithCaller(CallBlockStatement call, Scope scope)
    {
        var caller = new FunctionValue("caller", arguments => Invoke(call.CallerParameters, call.Body, scope, arguments));
        var callee = Evaluator.Evaluate(call.Call.Callee, scope);
        var arguments = Evaluator.EvaluateArguments(call.Call.Arguments, scope);
        return callee.Call(new Arguments(arguments.Positional, [.. arguments.Named, new("caller", caller)]));
    }

    private static StringValue Capture(IReadOnlyList<Statement> body, Scope scope)
    {
        var captured = new StringBuilder();
        Execute(body, scope.CreateChild(), captured);
        return StringValue.Of(captured.ToString());
    }

    private static void Assign(Expression target, Value value, Scope scope)
    {
        switch (target)
        {
            case NameExpression name:
                scope.Set(name.Name, value);
                break;
            case TupleExpression tuple:
                var items = value.Iterate() ?? throw new TemplateRuntimeException($"cannot unpack non-iterable {value.TypeName} object");
                if (items.Count != tuple.Items.Count)
                {
                    throw new TemplateRuntimeException(items.Count > tuple.Items.Count
                        ? $"too many values to unpack (expected {tuple.Items.Count})"
                        : $"not enough values to unpack (expected {tuple.Items.Count}, got {items.Count})");
                }
                for (var i = 0; i < items.Count; i++)
                    Assign(tuple.Items[i], items[i], scope);
                break;
            case AttributeExpression { Target: NameExpression owner } attribute:
                if (scope.Lookup(owner.Name) is not NamespaceValue ns)
                    throw new TemplateRuntimeException("cannot assign attribute on non-namespace object");
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw new TemplateRuntimeException("can't assign to this expression");
        }
    }
}
