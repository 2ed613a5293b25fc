namespace Strata.Templates.Tests;

/// <summary>The builtin filters chat templates use.</summary>
public sealed class FilterTests
{
    [Theory]
    [InlineData("{{ '  x  ' | trim }}|{{ 'xxhixx' | trim('x') }}", "x|hi")]
    [InlineData("{{ 'Hello' | upper }} {{ 'Hello' | lower }} {{ 'hELLO wORLD' | capitalize }} {{ \"they're bill's-x\" | title }}", "HELLO hello Hello world They're Bill's-X")]
    [InlineData("{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }}", "bbb bba")]
    [InlineData("{{ [1, 2, 3] | join(', ') }} {{ [{'n': 'a'}, {'n': 'b'}] | join('|', attribute='n') }} {{ 'abc' | join('-') }}", "1, 2, 3 a|b a-b-c")]
    [InlineData("{{ [1, 2] | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }} {{ missing | length }}", "2 5 1 0")]
    [InlineData("{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | first }} [{{ [] | first }}]", "3 2 a []")]
    [InlineData("{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ none | d('x') }}", "d  d None")]
    [InlineData("{{ '42' | int }} {{ '42.7' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 3.9 | int }} {{ '0x1f' | int(0, 16) }}", "42 42 0 7 3 31")]
    [InlineData("{{ '2.5' | float }} {{ 3 | float }} {{ 'x' | float }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ 2.1 | round(0, 'ceil') }}", "2.5 3.0 0.0 2.0 3.14 3.0")]
    [InlineData("{{ 12 | string ~ 'x' }} {{ [1] | string }} {{ -3 | abs }} {{ 'ab' | reverse }} {{ [1, 2] | reverse | list }}", "12x [1] 3 ba [2, 1]")]
    public void Render_StringAndValueFilters_BehaveLikeJinja(string template, string expected)
    {
        Assert.Equal(expected, Jinja.Render(template));
    }

    [Theory]
    [InlineData("{{ ['b', 'A', 'c'] | sort | join }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) | join }} {{ [3, 1, 2] | sort(reverse=true) | join }}", "Abc Abc 321")]
    [InlineData("{{ {'b': 1, 'A': 2} | dictsort }} {{ {'b': 1, 'a': 2} | dictsort(by='value') }}", "[('A', 2), ('b', 1)] [('b', 1), ('a', 2)]")]
    [InlineData("{{ [1, 2, 1, 3] | unique | list }} {{ ['a', 'A', 'b'] | unique | list }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }} {{ [1, 2, 3] | sum }}", "[1, 2, 3] ['a', 'b'] 1 3 6")]
    [InlineData("{{ ['a', 'b'] | map('upper') | join }} {{ [{'f': {'n': 1}}, {'f': {'n': 2}}] | map(attribute='f.n') | list }} {{ [{}, {'n': 1}] | map(attribute='n', default=0) | list }}", "AB [1, 2] [0, 1]")]
    [InlineData("{{ [1, 2, 3, 4] | select('even') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ [0, 1, '', 'a'] | select | list }}", "[2, 4] [1, 3] [1, 'a']")]
    [InlineData("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }} {{ messages | rejectattr('role', 'eq', 'user') | list | length }} {{ messages | selectattr('name', 'defined') | list | length }}", "a,c 1 0")]
    [InlineData("{{ [1, 2, 3] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 0) | list }} {{ [1, 2, 3] | slice(2) | list }}", "[[1, 2], [3]] [[1, 2], [3, 0]] [[1, 2], [3]]")]
    [InlineData("{{ {'a': 1} | items | list }} {{ 'a b  c' | wordcount }} {{ 'x' | center(5) }}| {{ '<a & b>' | escape }}", "[('a', 1)] 3   x  | &lt;a &amp; b&gt;")]
    public void Render_SequenceFilters_BehaveLikeJinja(string template, string expected)
    {
        const string variables = """{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]}""";

        Assert.Equal(expected, Jinja.Render(template, variables));
    }

    [Fact]
    public void Render_Indent_IndentsAllButFirstLineByDefault()
    {
        Assert.Equal("a\n  b\n\n  c", Jinja.Render("{{ 'a\\nb\\n\\nc' | indent(2) }}"));
        Assert.Equal("  a\n  b\n", Jinja.Render("{{ 'a\\nb\\n' | indent(2, first=true) }}"));
        Assert.Equal("--a\n--\n--b", Jinja.Render("{{ 'a\\n\\nb' | indent('--', true, true) }}"));
    }

    [Fact]
    public void Render_GeneratorFromMap_IsAlwaysTrueAndSingleUse()
    {
        // Jinja's map/select return Python generators: truthy even when empty, and exhausted after one pass.
        Assert.Equal("yes", Jinja.Render("{% if [] | map('upper') %}yes{% endif %}"));
        Assert.Equal("[1, 2]|[]", Jinja.Render("{% set g = [1, 2] | select %}{{ g | list }}|{{ g | list }}"));
    }

    [Fact]
    public void Render_UnknownFilter_FailsOnlyWhenItRuns()
    {
        Assert.Equal("ok", Jinja.Render("{% if false %}{{ x | from_json }}{% endif %}ok"));

        var error = Jinja.Fail("\n{{ x | from_json }}");

        Assert.Equal(2, error.Line);
        Assert.Contains("No filter named 'from_json'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Tests_CheckPythonTypes()
    {
        const string template = "{{ 'a' is string }}{{ {} is mapping }}{{ [] is iterable }}{{ 'a' is iterable }}{{ 1 is number }}{{ true is number }}{{ true is integer }}{{ none is none }}{{ x is undefined }}{{ 3 is divisibleby 3 }}{{ 3 is odd }}{{ 'ab' is lower }}{{ 2 is in [1, 2] }}{{ 1 is sameas 1 }}{{ none is sameas none }}{{ 'upper' is filter }}{{ 'even' is test }}{{ 1 is not string }}";

        Assert.Equal("TrueTrueTrueTrueTrueTrueFalseTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrue", Jinja.Render(template));
    }
}
