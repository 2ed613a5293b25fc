namespace Strata.Templates.Tests;

/// <summary>Jinja's scoping: loops, macros and captured blocks get their own scope; if does not; namespace() crosses scopes.</summary>
public sealed class ScopingTests
{
    [Fact]
    public void Render_SetInsideLoop_DoesNotLeakOrCarryOver()
    {
        const string template = "{% set n = 0 %}{% for i in [1, 2, 3] %}{% set n = n + i %}{{ n }}{% endfor %}|{{ n }}";

        Assert.Equal("123|0", Jinja.Render(template));
    }

    [Fact]
    public void Render_SetInsideIf_IsVisibleAfterIt()
    {
        Assert.Equal("yes", Jinja.Render("{% if true %}{% set x = 'yes' %}{% endif %}{{ x }}"));
    }

    [Fact]
    public void Render_NamespaceAttributeSetInLoop_PersistsAfterLoop()
    {
        const string template = "{% set ns = namespace(total=0, seen=[]) %}{% for i in range(4) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}";

        Assert.Equal("6", Jinja.Render(template));
    }

    [Fact]
    public void Render_AttributeAssignmentOnNonNamespace_FailsClearly()
    {
        var error = Jinja.Fail("{% set d = {} %}\n{% set d.x = 1 %}");

        Assert.Equal(2, error.Line);
        Assert.Contains("non-namespace", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Macro_SeesTemplateVariablesAtCallTimeButKeepsItsOwnSets()
    {
        const string template = "{% macro m(a, b='B') %}{% set local = 1 %}{{ a }}{{ b }}{{ later }}{% endmacro %}{% set later = '!' %}{{ m('A') }}{{ m('x', b='y') }}{{ local is defined }}";

        Assert.Equal("AB!xy!False", Jinja.Render(template));
    }

    [Fact]
    public void Render_MacroWithExtraArguments_CollectsVarargsAndKwargs()
    {
        const string template = "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}";

        Assert.Equal("1(2, 3){'k': 'v'}", Jinja.Render(template));
    }

    [Fact]
    public void Render_RecursiveMacro_Works()
    {
        const string template = "{% macro count(n) %}{{ n }}{% if n > 0 %}{{ count(n - 1) }}{% endif %}{% endmacro %}{{ count(3) }}";

        Assert.Equal("3210", Jinja.Render(template));
    }

    [Fact]
    public void Render_CallBlock_PassesBodyAsCaller()
    {
        const string template = "{% macro wrap(tag) %}<{{ tag }}>{{ caller('inner') }}</{{ tag }}>{% endmacro %}{% call(text) wrap('b') %}[{{ text }}]{% endcall %}";

        Assert.Equal("<b>[inner]</b>", Jinja.Render(template));
    }

    [Fact]
    public void Render_BlockSet_CapturesRenderedBodyThroughFilters()
    {
        Assert.Equal("[HI THERE]", Jinja.Render("{% set x | upper %} hi {{ 'there' }} {% endset %}[{{ x | trim }}]"));
    }

    [Fact]
    public void Render_With_ScopesItsVariables()
    {
        Assert.Equal("2|1", Jinja.Render("{% set a = 1 %}{% with a = 2 %}{{ a }}{% endwith %}|{{ a }}"));
    }

    [Fact]
    public void Render_FilterBlock_FiltersItsBody()
    {
        Assert.Equal("ABC", Jinja.Render("{% filter upper %}a{{ 'b' }}c{% endfilter %}"));
    }

    [Fact]
    public void Render_TemplateOverridesInputVariable_WithSet()
    {
        Assert.Equal("<b>", Jinja.Render("{% set bos = '<b>' %}{{ bos }}", """{"bos": "<s>"}"""));
    }
}
