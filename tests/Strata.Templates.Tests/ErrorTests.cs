namespace Strata.Templates.Tests;

/// <summary>Errors are <see cref="TemplateException"/>s that name the template line; nothing else escapes.</summary>
public sealed class ErrorTests
{
    [Fact]
    public void Render_RaiseException_CarriesTheTemplatesMessageAndLine()
    {
        var error = Jinja.Fail("a\nb\n{{ raise_exception('Only user and assistant roles are supported!') }}");

        Assert.Equal(3, error.Line);
        Assert.Equal("Only user and assistant roles are supported!", error.Reason);
        Assert.Equal("chat template line 3: Only user and assistant roles are supported!", error.Message);
    }

    [Theory]
    [InlineData("{% if x %}\nunclosed", 2, "Unexpected end of template")]
    [InlineData("{% for %}", 1, "expected")]
    [InlineData("ok\n{{ 1 + }}", 2, "unexpected end of print statement")]
    [InlineData("\n\n{% endif %}", 3, "Encountered unknown tag 'endif'")]
    [InlineData("{{ 'unterminated }}", 1, "unexpected end of string")]
    [InlineData("{# never closed", 1, "Missing end of comment tag")]
    [InlineData("{% include 'x' %}", 1, "Encountered unknown tag 'include'")]
    public void Parse_SyntaxError_ReportsLine(string template, int line, string reason)
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.Parse(template));

        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ 1 // 0 }}", "integer division or modulo by zero")]
    [InlineData("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [InlineData("{% for x in 3 %}{% endfor %}", "'int' object is not iterable")]
    [InlineData("{{ 'x'() }}", "'str' object is not callable")]
    [InlineData("{{ 9223372036854775807 + 1 }}", "integer overflow")]
    [InlineData("{{ range(1000000) | length }}", "Range too big")]
    [InlineData("{{ x is nonsense }}", "No test named 'nonsense'")]
    [InlineData("{{ {[1]: 2} }}", "unhashable type: 'list'")]
    [InlineData("{{ [1, 2] | tojson(separators=1) }}", "separators must be a pair of strings")]
    public void Render_RuntimeError_IsATemplateExceptionWithLine(string template, string reason)
    {
        var error = Jinja.Fail(template);

        Assert.Equal(1, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnboundedRecursion_FailsInsteadOfOverflowingTheStack()
    {
        var error = Jinja.Fail("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}");

        Assert.Contains("too deeply", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNestedExpression_FailsInsteadOfOverflowingTheStack()
    {
        var template = "{{ " + new string('(', 100_000) + "1" + new string(')', 100_000) + " }}";

        var error = Assert.Throws<TemplateException>(() => ChatTemplate.Parse(template));

        Assert.Contains("too deeply", error.Reason, StringComparison.Ordinal);
    }
}
