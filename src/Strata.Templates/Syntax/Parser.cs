namespace Strata.Templates.Syntax;

/// <summary>Parses a template's tokens into statements (the tags Hugging Face chat templates can use).</summary>
internal sealed class Parser
{
    private readonly TokenStream _stream;
    private readonly ExpressionParser _expressions;

    // break and continue are only valid inside a for loop (and not across a macro boundary).
    private int _loopDepth;

    private Parser(IReadOnlyList<Token> tokens)
    {
        _stream = new TokenStream(tokens);
        _expressions = new ExpressionParser(_stream);
    }

    public static IReadOnlyList<Statement> Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        try
        {
            return parser.ParseBody();
        }
        catch (TemplateRuntimeException e)
        {
            throw parser._stream.Error(e.Message);
        }
        catch (Exception e) when (e is not TemplateException)
        {
            throw parser._stream.Error($"cannot parse the template: {e.Message}");
        }
    }

    /// <summary>
    /// Statements up to the end of input or up to a block tag named in <paramref name="endTags"/>;
    /// then the stream stands on that tag's name.
    /// </summary>
    private List<Statement> ParseBody(params string[] endTags)
    {
        RuntimeStack.EnsureRoom();
        var body = new List<Statement>();
        while (true)
        {
            var token = _stream.Current;
            switch (token.Kind)
            {
                case TokenKind.EndOfInput:
                    if (endTags.Length > 0)
                        throw _stream.Error($"Unexpected end of template. Jinja was looking for the following tags: {string.Join(" or ", endTags.Select(t => $"'{t}'"))}.");
                    return body;
                case TokenKind.Text:
                    body.Add(new TextStatement(token.Line, _stream.Next().Text));
                    break;
                case TokenKind.VariableBegin:
                    _stream.Next();
                    body.Add(new OutputStatement(token.Line, _expressions.ParseTuple()));
                    _stream.Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    var name = _stream.Peek();
                    if (name.Kind == TokenKind.Name && endTags.Contains(name.Text))
                    {
                        _stream.Next();
                        return body;
                    }
                    _stream.Next();
                    body.Add(ParseStatement());
                    break;
                default:
                    throw _stream.Error($"unexpected {token.Describe()}");
            }
        }
    }

    private Statement ParseStatement()
    {
        var token = _stream.Current;
        if (token.Kind != TokenKind.Name)
            throw _stream.Error("tag name expected");
        _stream.Next();
        var line = token.Line;
        return token.Text switch
        {
            "if" => ParseIf(line),
            "for" => ParseFor(line),
            "set" => ParseSet(line),
            "macro" => ParseMacro(line),
            "call" => ParseCallBlock(line),
            "filter" => ParseFilterBlock(line),
            "with" => ParseWith(line),
            "break" => ParseLoopControl(new BreakStatement(line), "break"),
            "continue" => ParseLoopControl(new ContinueStatement(line), "continue"),
            "generation" => ParseGeneration(line),
            _ => throw new TemplateException($"Encountered unknown tag '{token.Text}'.", line),
        };
    }

    private IfStatement ParseIf(int line)
    {
        var test = _expressions.ParseTuple(withConditional: false);
        EndTag();
        var body = ParseBody("elif", "else", "endif");
        var tag = _stream.Next();
        IReadOnlyList<Statement> otherwise = [];
        if (tag.Text == "elif")
        {
            otherwise = [ParseIf(tag.Line)];
            return new IfStatement(line, test, body, otherwise);
        }
        if (tag.Text == "else")
        {
            EndTag();
            otherwise = ParseBody("endif");
            _stream.Next();
        }
        EndTag();
        return new IfStatement(line, test, body, otherwise);
    }

    private ForStatement ParseFor(int line)
    {
        var target = _expressions.ParseAssignTarget(withNamespace: false, "in");
        _stream.Expect(TokenKind.Name, "in");
        var iterable = _expressions.ParseTuple(withConditional: false, endNames: "recursive");
        var filter = _stream.SkipName("if") ? _expressions.ParseExpression() : null;
        var recursive = _stream.SkipName("recursive");
        EndTag();
        _loopDepth++;
        var body = ParseBody("endfor", "else");
        _loopDepth--;
        IReadOnlyList<Statement> otherwise = [];
        if (_stream.Next().Text == "else")
        {
            EndTag();
            otherwise = ParseBody("endfor");
            _stream.Next();
        }
        EndTag();
        return new ForStatement(line, target, iterable, filter, recursive, body, otherwise);
    }

    private Statement ParseSet(int line)
    {
        var target = _expressions.ParseAssignTarget(withNamespace: true);
        if (_stream.SkipOperator("="))
        {
            var value = _expressions.ParseTuple();
            EndTag();
            return new SetStatement(line, target, value);
        }
        var filters = ParseFilters();
        EndTag();
        var body = ParseBody("endset");
        _stream.Next();
        EndTag();
        return new SetBlockStatement(line, target, filters, body);
    }

    private MacroStatement ParseMacro(int line)
    {
        var name = _stream.ExpectName();
        var parameters = ParseParameters();
        EndTag();
        var outerLoopDepth = _loopDepth;
        _loopDepth = 0;
        var body = ParseBody("endmacro");
        _loopDepth = outerLoopDepth;
        _stream.Next();
        _stream.SkipName(name);
        EndTag();
        return new MacroStatement(line, name, parameters, body);
    }

    private CallBlockStatement ParseCallBlock(int line)
    {
        var parameters = _stream.Current.IsOperator("(") ? ParseParameters() : [];
        if (_expressions.ParseExpression() is not CallExpression call)
            throw new TemplateException("expected a call after 'call'", line);
        EndTag();
        var outerLoopDepth = _loopDepth;
        _loopDepth = 0;
        var body = ParseBody("endcall");
        _loopDepth = outerLoopDepth;
        _stream.Next();
        EndTag();
        return new CallBlockStatement(line, call, parameters, body);
    }

    private FilterBlockStatement ParseFilterBlock(int line)
    {
        var filters = new List<FilterCall> { _expressions.ParseFilterCall() };
        filters.AddRange(ParseFilters());
        EndTag();
        var body = ParseBody("endfilter");
        _stream.Next();
        EndTag();
        return new FilterBlockStatement(line, filters, body);
    }

    private WithStatement ParseWith(int line)
    {
        var assignments = new List<Assignment>();
        while (_stream.Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0)
                _stream.ExpectOperator(",");
            var target = _expressions.ParseAssignTarget(withNamespace: false);
            _stream.ExpectOperator("=");
            assignments.Add(new Assignment(target, _expressions.ParseExpression()));
        }
        EndTag();
        var body = ParseBody("endwith");
        _stream.Next();
        EndTag();
        return new WithStatement(line, assignments, body);
    }

    private Statement ParseLoopControl(Statement statement, string name)
    {
        if (_loopDepth == 0)
            throw new TemplateException($"'{name}' outside of a loop", statement.Line);
        EndTag();
        return statement;
    }

    private GenerationStatement ParseGeneration(int line)
    {
        EndTag();
        var body = ParseBody("endgeneration");
        _stream.Next();
        EndTag();
        return new GenerationStatement(line, body);
    }

    private List<FilterCall> ParseFilters()
    {
        var filters = new List<FilterCall>();
        while (_stream.SkipOperator("|"))
            filters.Add(_expressions.ParseFilterCall());
        return filters;
    }

    private List<MacroParameter> ParseParameters()
    {
        _stream.ExpectOperator("(");
        var parameters = new List<MacroParameter>();
        while (!_stream.Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
                _stream.ExpectOperator(",");
            var name = _stream.ExpectName();
            var fallback = _stream.SkipOperator("=") ? _expressions.ParseExpression() : null;
            parameters.Add(new MacroParameter(name, fallback));
        }
        _stream.ExpectOperator(")");
        return parameters;
    }

    private void EndTag() => _stream.Expect(TokenKind.BlockEnd);
}
