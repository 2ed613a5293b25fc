namespace Strata.Templates.Tests;

/// <summary>Expressions follow Python: arithmetic, printing, comparison, membership, slicing.</summary>
public sealed class ExpressionTests
{
    [Theory]
    [InlineData("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }}", "3 -4 2 -2")]
    [InlineData("{{ 1 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}", "0.5 2.0 1024 0.5")]
    [InlineData("{{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 1.0 }} {{ 0.1 + 0.2 }}", "3.0 0.5 2.0 0.30000000000000004")]
    [InlineData("{{ 1e16 }} {{ 1e-5 }} {{ 123456789.0 * 1000 }} {{ -0.0 }}", "1e+16 1e-05 123456789000.0 -0.0")]
    [InlineData("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }}", "ababab [1, 1] [1, 2] ab")]
    [InlineData("{{ 1 + 2 * 3 - 4 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 * 3 ~ 4 }}", "3 9 4 64")]
    public void Render_Arithmetic_FollowsPython(string template, string expected)
    {
        Assert.Equal(expected, Jinja.Render(template));
    }

    [Fact]
    public void Render_Values_PrintLikePythonStr()
    {
        const string template = "{{ true }} {{ none }} {{ [1, 'a', none, true, 1.0, {'k': (1,)}] }} {{ ('x',) }} {{ {'a': [1, 2]} }}";

        Assert.Equal("True None [1, 'a', None, True, 1.0, {'k': (1,)}] ('x',) {'a': [1, 2]}", Jinja.Render(template));
    }

    [Fact]
    public void Render_StringReprInsideList_ChoosesQuotesAndEscapesLikePython()
    {
        const string template = "{{ [\"it's\", 'say \"hi\"', 'both \\' and \"', 'tab\\t\\x00é\\u200b🤖'] }}";

        Assert.Equal("[\"it's\", 'say \"hi\"', 'both \\' and \"', 'tab\\t\\x00é\\u200b🤖']", Jinja.Render(template));
    }

    [Fact]
    public void Render_Tilde_ConcatenatesStringForms()
    {
        Assert.Equal("a1None[1]True", Jinja.Render("{{ 'a' ~ 1 ~ none ~ [1] ~ true ~ missing }}"));
    }

    [Theory]
    [InlineData("{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}", "True True True True True False")]
    [InlineData("{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 1 in missing }}", "True True True True False")]
    [InlineData("{{ 'x' if true else 'y' }} {{ 'x' if false else 'y' }}[{{ 'x' if false }}]", "x y[]")]
    [InlineData("{{ none or 'd' }} {{ 0 and 1 }} {{ 'a' and 'b' }} {{ not [] }}", "d 0 b True")]
    public void Render_LogicAndComparison_FollowPython(string template, string expected)
    {
        Assert.Equal(expected, Jinja.Render(template));
    }

    [Theory]
    [InlineData("{{ 'abcdef'[::-1] }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[-2:] }} {{ 'abcdef'[::2] }}", "fedcba bcd ef ace")]
    [InlineData("{{ [1, 2, 3, 4][::-2] }} [{{ 'abcdef'[10:] }}] {{ 'abc'[-10:2] }} {{ [1, 2, 3][-1] }}", "[4, 2] [] ab 3")]
    [InlineData("{{ 'a🤖b'[1] }} {{ 'a🤖b' | length }} {{ 'a🤖b'[::-1] }}", "🤖 3 b🤖a")]
    public void Render_IndexingAndSlicing_CountCodePointsLikePython(string template, string expected)
    {
        Assert.Equal(expected, Jinja.Render(template));
    }

    [Fact]
    public void Render_AttributeAndItemAccess_AreInterchangeableOnDicts()
    {
        const string variables = """{"m": {"role": "user", "items": 5, "x.y": 1}}""";

        Assert.Equal("user user 5 1", Jinja.Render("{{ m.role }} {{ m['role'] }} {{ m['items'] }} {{ m['x.y'] }}", variables));
    }

    [Fact]
    public void Render_DictMethodName_ShadowsKeyForDotAccess()
    {
        // Jinja tries getattr first, so m.items is the dict method even when there is an "items" key.
        Assert.Equal("True", Jinja.Render("{{ m.items is callable }}", """{"m": {"items": 5}}"""));
    }

    [Fact]
    public void Render_LiteralsAndStringEscapes_Parse()
    {
        Assert.Equal("a\tb\n1000 2.5 ab ['x', 1] {'k': 'v'}", Jinja.Render("{{ 'a\\tb\\n' }}{{ 1_000 }} {{ 2.5 }} {{ 'a' \"b\" }} {{ ['x', 1,] }} {{ {'k': 'v',} }}"));
    }

    [Fact]
    public void Render_PercentAndFormat_FormatLikePython()
    {
        const string template = "{{ '%s and %d and %.2f and %5s|%-5s|%05d' % ('x', 3, 3.14159, 'ab', 'ab', 42) }} {{ '{} {} {name}'.format(1, 'two', name='n') }} {{ '{0:>5}|{1:.3f}'.format('a', 2.5) }}";

        Assert.Equal("x and 3 and 3.14 and    ab|ab   |00042 1 two n     a|2.500", Jinja.Render(template));
    }

    [Fact]
    public void Render_JsonInputNumbers_KeepIntAndFloatApart()
    {
        Assert.Equal("1 1.0 2.5 True None", Jinja.Render("{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}", """{"a": 1, "b": 1.0, "c": 2.5, "d": true, "e": null}"""));
    }
}
