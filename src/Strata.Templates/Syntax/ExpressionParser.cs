using System.Globalization;
using Strata.Templates.Values;

namespace Strata.Templates.Syntax;

/// <summary>
/// Parses Jinja expressions, with Jinja's precedence (lowest first): conditional, or, and, not,
/// comparisons and <c>in</c>, + -, ~, * / // %, **, unary - +, then postfix (attribute, item,
/// call) and the filter/test chain.
/// </summary>
internal sealed class ExpressionParser(TokenStream stream)
{
    private static readonly Dictionary<string, CompareOperator> CompareOperators = new()
    {
        ["=="] = CompareOperator.Equal,
        ["!="] = CompareOperator.NotEqual,
        ["<"] = CompareOperator.Less,
        ["<="] = CompareOperator.LessOrEqual,
        [">"] = CompareOperator.Greater,
        [">="] = CompareOperator.GreaterOrEqual,
    };

    // Tokens that may start the single bare argument of a test: "x is divisibleby 3".
    private static readonly HashSet<TokenKind> TestArgumentStarts =
        [TokenKind.Name, TokenKind.String, TokenKind.Integer, TokenKind.Float];

    public Expression ParseExpression(bool withConditional = true)
    {
        RuntimeStack.EnsureRoom();
        return withConditional ? ParseConditional() : ParseOr();
    }

    /// <summary>
    /// An expression, or several separated by commas as a tuple ("a, b"). Stops before
    /// <paramref name="endNames"/> (for example "in" after a for target).
    /// </summary>
    public Expression ParseTuple(bool simplified = false, bool withConditional = true, bool explicitParentheses = false, params string[] endNames)
    {
        var line = stream.Current.Line;
        var items = new List<Expression>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0)
                stream.ExpectOperator(",");
            if (IsTupleEnd(endNames))
                break;
            items.Add(simplified ? ParsePrimary() : ParseExpression(withConditional));
            if (stream.Current.IsOperator(","))
                isTuple = true;
            else
                break;
        }
        if (!isTuple)
        {
            if (items.Count > 0)
                return items[0];
            if (!explicitParentheses)
                throw stream.Error($"expected an expression, got {stream.Current.Describe()}");
        }
        return new TupleExpression(line, items);
    }

    /// <summary>An assignment target: a name, a tuple of names, or (for <c>set</c>) <c>namespace.attribute</c>.</summary>
    public Expression ParseAssignTarget(bool withNamespace, params string[] endNames)
    {
        var line = stream.Current.Line;
        if (withNamespace && stream.Current.Kind == TokenKind.Name && stream.Peek().IsOperator("."))
        {
            var owner = stream.ExpectName();
            stream.ExpectOperator(".");
            return new AttributeExpression(line, new NameExpression(line, owner), stream.ExpectName());
        }
        var target = ParseTuple(simplified: true, endNames: endNames);
        return CanAssign(target) ? target : throw new TemplateException("can't assign to this expression", line);
    }

    public CallArguments ParseCallArguments()
    {
        stream.ExpectOperator("(");
        var positional = new List<Expression>();
        var keywords = new List<KeywordArgument>();
        Expression? spread = null;
        Expression? keywordSpread = null;
        var first = true;
        while (!stream.Current.IsOperator(")"))
        {
            if (!first)
            {
                stream.ExpectOperator(",");
                if (stream.Current.IsOperator(")"))
                    break;
            }
            first = false;
            if (stream.SkipOperator("*"))
                spread = ParseExpression();
            else if (stream.SkipOperator("**"))
                keywordSpread = ParseExpression();
            else if (stream.Current.Kind == TokenKind.Name && stream.Peek().IsOperator("="))
            {
                var name = stream.ExpectName();
                stream.ExpectOperator("=");
                keywords.Add(new KeywordArgument(name, ParseExpression()));
            }
            else
            {
                positional.Add(ParseExpression());
            }
        }
        stream.ExpectOperator(")");
        return new CallArguments(positional, keywords, spread, keywordSpread);
    }

    /// <summary>One filter after its "|": a (possibly dotted) name and optional arguments.</summary>
    public FilterCall ParseFilterCall()
    {
        var line = stream.Current.Line;
        var name = ParseDottedName();
        var arguments = stream.Current.IsOperator("(") ? ParseCallArguments() : CallArguments.None;
        return new FilterCall(line, name, arguments);
    }

    private static bool CanAssign(Expression target) => target switch
    {
        NameExpression => true,
        TupleExpression tuple => tuple.Items.Count > 0 && tuple.Items.All(CanAssign),
        _ => false,
    };

    private bool IsTupleEnd(string[] endNames)
    {
        var current = stream.Current;
        return current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.EndOfInput
            || current.IsOperator(")")
            || (current.Kind == TokenKind.Name && endNames.Contains(current.Text));
    }

    private Expression ParseConditional()
    {
        var expression = ParseOr();
        while (stream.Current.IsName("if"))
        {
            var line = stream.Next().Line;
            var test = ParseOr();
            var otherwise = stream.SkipName("else") ? ParseConditional() : null;
            expression = new ConditionalExpression(line, test, expression, otherwise);
        }
        return expression;
    }

    private Expression ParseOr()
    {
        var left = ParseAnd();
        while (stream.Current.IsName("or"))
        {
            var line = stream.Next().Line;
            left = new BinaryExpression(line, BinaryOperator.Or, left, ParseAnd());
        }
        return left;
    }

    private Expression ParseAnd()
    {
        var left = ParseNot();
        while (stream.Current.IsName("and"))
        {
            var line = stream.Next().Line;
            left = new BinaryExpression(line, BinaryOperator.And, left, ParseNot());
        }
        return left;
    }

    private Expression ParseNot()
    {
        if (!stream.Current.IsName("not"))
            return ParseCompare();
        RuntimeStack.EnsureRoom();
        var line = stream.Next().Line;
        return new UnaryExpression(line, UnaryOperator.Not, ParseNot());
    }

    private Expression ParseCompare()
    {
        var line = stream.Current.Line;
        var first = ParseAdditive();
        var rest = new List<Comparison>();
        while (true)
        {
            var current = stream.Current;
            if (current.Kind == TokenKind.Operator && CompareOperators.TryGetValue(current.Text, out var op))
            {
                stream.Next();
                rest.Add(new Comparison(op, ParseAdditive()));
            }
            else if (stream.SkipName("in"))
            {
                rest.Add(new Comparison(CompareOperator.In, ParseAdditive()));
            }
            else if (current.IsName("not") && stream.Peek().IsName("in"))
            {
                stream.Next();
                stream.Next();
                rest.Add(new Comparison(CompareOperator.NotIn, ParseAdditive()));
            }
            else
            {
                break;
            }
        }
        return rest.Count == 0 ? first : new CompareExpression(line, first, rest);
    }

    private Expression ParseAdditive()
    {
        var left = ParseConcat();
        while (stream.Current.IsOperator("+") || stream.Current.IsOperator("-"))
        {
            var token = stream.Next();
            var op = token.Text == "+" ? BinaryOperator.Add : BinaryOperator.Subtract;
            left = new BinaryExpression(token.Line, op, left, ParseConcat());
        }
        return left;
    }

    private Expression ParseConcat()
    {
        var left = ParseMultiplicative();
        while (stream.Current.IsOperator("~"))
        {
            var line = stream.Next().Line;
            left = new BinaryExpression(line, BinaryOperator.Concat, left, ParseMultiplicative());
        }
        return left;
    }

    private Expression ParseMultiplicative()
    {
        var left = ParsePower();
        while (true)
        {
            BinaryOperator? op = stream.Current.Kind != TokenKind.Operator ? null : stream.Current.Text switch
            {
                "*" => BinaryOperator.Multiply,
                "/" => BinaryOperator.Divide,
                "//" => BinaryOperator.FloorDivide,
                "%" => BinaryOperator.Modulo,
                _ => null,
            };
            if (op is null)
                return left;
            var line = stream.Next().Line;
            left = new BinaryExpression(line, op.Value, left, ParsePower());
        }
    }

    private Expression ParsePower()
    {
        var left = ParseUnary();
        while (stream.Current.IsOperator("**"))
        {
            var line = stream.Next().Line;
            left = new BinaryExpression(line, BinaryOperator.Power, left, ParseUnary());
        }
        return left;
    }

    // As in Jinja, "-x | f" applies the filter to -x, and the operand of "-" takes no filters.
    private Expression ParseUnary(bool withFilters = true)
    {
        RuntimeStack.EnsureRoom();
        var line = stream.Current.Line;
        Expression expression;
        if (stream.SkipOperator("-"))
            expression = new UnaryExpression(line, UnaryOperator.Negate, ParseUnary(withFilters: false));
        else if (stream.SkipOperator("+"))
            expression = new UnaryExpression(line, UnaryOperator.Plus, ParseUnary(withFilters: false));
        else
            expression = ParsePrimary();
        expression = ParsePostfix(expression);
        return withFilters ? ParseFilterChain(expression) : expression;
    }

    private Expression ParsePrimary()
    {
        RuntimeStack.EnsureRoom();
        var token = stream.Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                stream.Next();
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpression(token.Line, BoolValue.True),
                    "false" or "False" => new LiteralExpression(token.Line, BoolValue.False),
                    "none" or "None" => new LiteralExpression(token.Line, NoneValue.Instance),
                    _ => new NameExpression(token.Line, token.Text),
                };
            case TokenKind.String:
                var text = stream.Next().Text;
                // Adjacent literals join, as in Python: "a" "b" is "ab".
                while (stream.Current.Kind == TokenKind.String)
                    text += stream.Next().Text;
                return new LiteralExpression(token.Line, StringValue.Of(text));
            case TokenKind.Integer:
                stream.Next();
                return new LiteralExpression(token.Line, long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
                    ? IntValue.Of(integer)
                    : throw new TemplateException($"integer literal {token.Text} is too large", token.Line));
            case TokenKind.Float:
                stream.Next();
                return new LiteralExpression(token.Line, new FloatValue(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture)));
            case TokenKind.Operator when token.Text == "(":
                stream.Next();
                var inner = ParseTuple(explicitParentheses: true);
                stream.ExpectOperator(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                return ParseList();
            case TokenKind.Operator when token.Text == "{":
                return ParseDict();
            default:
                throw stream.Error($"unexpected {token.Describe()}");
        }
    }

    private ListExpression ParseList()
    {
        var line = stream.ExpectOperator("[").Line;
        var items = new List<Expression>();
        while (!stream.Current.IsOperator("]"))
        {
            if (items.Count > 0)
            {
                stream.ExpectOperator(",");
                if (stream.Current.IsOperator("]"))
                    break;
            }
            items.Add(ParseExpression());
        }
        stream.ExpectOperator("]");
        return new ListExpression(line, items);
    }

    private DictExpression ParseDict()
    {
        var line = stream.ExpectOperator("{").Line;
        var entries = new List<KeyValuePair<Expression, Expression>>();
        while (!stream.Current.IsOperator("}"))
        {
            if (entries.Count > 0)
            {
                stream.ExpectOperator(",");
                if (stream.Current.IsOperator("}"))
                    break;
            }
            var key = ParseExpression();
            stream.ExpectOperator(":");
            entries.Add(new(key, ParseExpression()));
        }
        stream.ExpectOperator("}");
        return new DictExpression(line, entries);
    }

    private Expression ParsePostfix(Expression expression)
    {
        while (true)
        {
            var token = stream.Current;
            if (token.IsOperator("."))
            {
                stream.Next();
                var member = stream.Current;
                if (member.Kind == TokenKind.Name)
                    expression = new AttributeExpression(token.Line, expression, stream.Next().Text);
                else if (member.Kind == TokenKind.Integer)
                    expression = new ItemExpression(token.Line, expression, ParsePrimary());
                else
                    throw stream.Error($"expected an attribute name, got {member.Describe()}");
            }
            else if (token.IsOperator("["))
            {
                expression = ParseSubscript(expression);
            }
            else if (token.IsOperator("("))
            {
                expression = new CallExpression(token.Line, expression, ParseCallArguments());
            }
            else
            {
                return expression;
            }
        }
    }

    private Expression ParseSubscript(Expression target)
    {
        var line = stream.ExpectOperator("[").Line;
        var keys = new List<Expression>();
        while (!stream.Current.IsOperator("]"))
        {
            if (keys.Count > 0)
            {
                stream.ExpectOperator(",");
                if (stream.Current.IsOperator("]"))
                    break;
            }
            keys.Add(ParseSubscribed(target, line));
        }
        stream.ExpectOperator("]");
        return keys switch
        {
            [] => throw new TemplateException("expected a subscript", line),
            [SliceExpression slice] => slice,
            [var key] => new ItemExpression(line, target, key),
            _ => new ItemExpression(line, target, new TupleExpression(line, keys)),
        };
    }

    private Expression ParseSubscribed(Expression target, int line)
    {
        Expression? start = null;
        if (!stream.Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!stream.Current.IsOperator(":"))
                return start;
        }
        stream.ExpectOperator(":");
        var stop = IsSliceEnd() ? null : ParseExpression();
        Expression? step = null;
        if (stream.SkipOperator(":") && !IsSliceEnd())
            step = ParseExpression();
        return new SliceExpression(line, target, start, stop, step);
    }

    private bool IsSliceEnd() =>
        stream.Current.IsOperator("]") || stream.Current.IsOperator(",") || stream.Current.IsOperator(":");

    private Expression ParseFilterChain(Expression expression)
    {
        while (true)
        {
            var token = stream.Current;
            if (token.IsOperator("|"))
            {
                stream.Next();
                expression = new FilterExpression(token.Line, expression, ParseFilterCall());
            }
            else if (token.IsName("is"))
            {
                stream.Next();
                expression = ParseTest(expression, token.Line);
            }
            else if (token.IsOperator("("))
            {
                expression = new CallExpression(token.Line, expression, ParseCallArguments());
            }
            else
            {
                return expression;
            }
        }
    }

    private TestExpression ParseTest(Expression input, int line)
    {
        var negated = stream.SkipName("not");
        var name = ParseDottedName();
        var arguments = CallArguments.None;
        var current = stream.Current;
        if (current.IsOperator("("))
        {
            arguments = ParseCallArguments();
        }
        else if ((TestArgumentStarts.Contains(current.Kind) || current.IsOperator("[") || current.IsOperator("{"))
                 && !current.IsName("else") && !current.IsName("or") && !current.IsName("and"))
        {
            if (current.IsName("is"))
                throw stream.Error("You cannot chain multiple tests with is");
            arguments = new CallArguments([ParsePostfix(ParsePrimary())], [], null, null);
        }
        return new TestExpression(line, input, name, arguments, negated);
    }

    private string ParseDottedName()
    {
        var name = stream.ExpectName();
        while (stream.SkipOperator("."))
            name += "." + stream.ExpectName();
        return name;
    }
}
