namespace Strata.Templates.Tests;

/// <summary>for loops: the loop variable, else, inline filters, unpacking, loop controls and recursion.</summary>
public sealed class LoopTests
{
    [Fact]
    public void Render_LoopVariable_ReportsPositions()
    {
        const string template = "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}";

        Assert.Equal("1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;", Jinja.Render(template));
    }

    [Fact]
    public void Render_LoopNeighbours_AreUndefinedAtTheEnds()
    {
        const string template = "{% for x in [1, 2, 3] %}({{ loop.previtem }},{{ loop.nextitem }}){% endfor %}";

        Assert.Equal("(,2)(1,3)(2,)", Jinja.Render(template));
    }

    [Fact]
    public void Render_LoopCycleAndChanged_Work()
    {
        const string template = "{% for x in [1, 1, 2] %}{{ loop.cycle('a', 'b') }}{{ loop.changed(x) }} {% endfor %}";

        Assert.Equal("aTrue bFalse aTrue ", Jinja.Render(template));
    }

    [Fact]
    public void Render_EmptyIterable_RendersElse()
    {
        Assert.Equal("none", Jinja.Render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));
        Assert.Equal("none", Jinja.Render("{% for x in missing %}{{ x }}{% else %}none{% endfor %}"));
    }

    [Fact]
    public void Render_InlineFilter_SkipsItemsAndCountsOnlyKeptOnes()
    {
        const string template = "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.content }} {% endfor %}";
        const string variables = """{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]}""";

        Assert.Equal("1/2:u 2/2:a ", Jinja.Render(template, variables));
    }

    [Fact]
    public void Render_TupleUnpacking_OverDictItems()
    {
        Assert.Equal("a=1,b=2,", Jinja.Render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }},{% endfor %}"));
    }

    [Fact]
    public void Render_NestedTupleTarget_Unpacks()
    {
        Assert.Equal("1-2-3;", Jinja.Render("{% for (a, b), c in [[[1, 2], 3]] %}{{ a }}-{{ b }}-{{ c }};{% endfor %}"));
    }

    [Fact]
    public void Render_UnpackingWrongCount_FailsClearly()
    {
        var error = Jinja.Fail("{% for a, b in [[1, 2, 3]] %}{% endfor %}");

        Assert.Contains("too many values to unpack", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BreakAndContinue_ControlTheLoop()
    {
        Assert.Equal("13", Jinja.Render("{% for i in range(10) %}{% if i == 4 %}{% break %}{% endif %}{% if i is even %}{% continue %}{% endif %}{{ i }}{% endfor %}"));
    }

    [Fact]
    public void Parse_BreakOutsideLoop_FailsWithLine()
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.Parse("a\n{% break %}"));

        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Render_FilterInIterable_AppliesBeforeLooping()
    {
        Assert.Equal("ab", Jinja.Render("{% for k in {'b': 1, 'a': 2} | dictsort %}{{ k[0] }}{% endfor %}"));
    }

    [Fact]
    public void Render_RecursiveLoop_RendersNestedItems()
    {
        const string template = "{% for n in tree recursive %}{{ n.name }}{% if n.children %}[{{ loop(n.children) }}]{% endif %}{% endfor %}";
        const string variables = """{"tree": [{"name": "a", "children": [{"name": "b"}, {"name": "c", "children": [{"name": "d"}]}]}]}""";

        Assert.Equal("a[bc[d]]", Jinja.Render(template, variables));
    }

    [Fact]
    public void Render_NestedLoops_SeeTheirOwnLoopVariable()
    {
        Assert.Equal("1.1 1.2 2.1 2.2 ", Jinja.Render("{% for a in [1, 2] %}{% set outer = loop %}{% for b in [1, 2] %}{{ outer.index }}.{{ loop.index }} {% endfor %}{% endfor %}"));
    }
}
