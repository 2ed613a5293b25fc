namespace Strata.Templates.Tests;

/// <summary>Undefined values behave as in Jinja's default mode: harmless until something is asked of them.</summary>
public sealed class UndefinedTests
{
    [Fact]
    public void Render_UndefinedValue_PrintsEmptyIsFalseAndIteratesEmpty()
    {
        const string template = "[{{ missing }}]{% if missing %}yes{% else %}no{% endif %}{% for x in missing %}x{% endfor %}{{ missing | length }}{{ missing is defined }}";

        Assert.Equal("[]no0False", Jinja.Render(template));
    }

    [Fact]
    public void Render_MissingKeyOrIndex_IsUndefinedNotAnError()
    {
        const string template = "[{{ m.nothing }}][{{ m['nothing'] }}][{{ l[5] }}][{{ n.attr }}]{{ m.nothing is defined }}";

        Assert.Equal("[][][][]False", Jinja.Render(template, """{"m": {}, "l": [], "n": null}"""));
    }

    [Fact]
    public void Render_AttributeOfUndefined_FailsWithJinjasMessage()
    {
        var error = Jinja.Fail("ok\n{{ missing.attr }}");

        Assert.Equal(2, error.Line);
        Assert.Equal("'missing' is undefined", error.Reason);
    }

    [Fact]
    public void Render_ArithmeticOnMissingKey_NamesTheKey()
    {
        var error = Jinja.Fail("{{ m.count + 1 }}", """{"m": {}}""");

        Assert.Equal("'dict object' has no attribute 'count'", error.Reason);
    }

    [Fact]
    public void Render_UndefinedComparisons_FollowJinja()
    {
        Assert.Equal("True False False True", Jinja.Render("{{ a == b }} {{ a == none }} {{ a == '' }} {{ a != 1 }}"));
    }

    [Fact]
    public void Render_UndefinedThroughStringFilters_IsEmptyText()
    {
        Assert.Equal("[|]", Jinja.Render("[{{ missing | trim }}|{{ missing | upper }}]"));
    }
}
