namespace Strata.Templates.Tests;

/// <summary>Python methods on strings, dicts and lists, and what the immutable sandbox refuses.</summary>
public sealed class MethodTests
{
    [Theory]
    [InlineData("{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a b c'.split(none, 1) }} {{ 'a,b,c'.rsplit(',', 1) }}", "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a,b', 'c']")]
    [InlineData("{{ ' x '.strip() }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'xxhixx'.rstrip('x') }}|{{ '\\u3000x\\x1c'.strip() }}", "x|hixx|xxhi|x")]
    [InlineData("{{ 'abc'.startswith('ab') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('bc') }} {{ 'abc'.startswith('b', 1) }}", "True True True True")]
    [InlineData("{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'AbC'.upper() }}{{ 'AbC'.lower() }} {{ 'aXb'.swapcase() }}", "Hello World Hello ABCabc AxB")]
    [InlineData("{{ 'aaa'.replace('a', 'b', 1) }} {{ 'ab'.replace('', '-') }} {{ 'abcb'.find('b') }} {{ 'abcb'.rfind('b') }} {{ 'abc'.find('z') }} {{ 'abcb'.count('b') }}", "baa -a-b- 1 3 -1 2")]
    [InlineData("{{ ', '.join(['a', 'b']) }} {{ 'a=b=c'.partition('=') }} {{ '7'.zfill(3) }} {{ 'x'.ljust(3, '.') }}{{ 'x'.rjust(3) }} {{ '12'.isdigit() }} {{ 'a\\nb'.splitlines() }}", "a, b ('a', '=', 'b=c') 007 x..  x True ['a', 'b']")]
    [InlineData("{{ 'prefix_x'.removeprefix('prefix_') }} {{ 'x.json'.removesuffix('.json') }} {{ '{}-{}'.format('a', 1) }}", "x x a-1")]
    public void Render_StringMethods_BehaveLikePython(string template, string expected)
    {
        Assert.Equal(expected, Jinja.Render(template));
    }

    [Fact]
    public void Render_DictMethods_BehaveLikePython()
    {
        const string template = "{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}";

        Assert.Equal("['a', 'b'] [1, 2] [('a', 1), ('b', 2)] 1 None 0", Jinja.Render(template, """{"d": {"a": 1, "b": 2}}"""));
    }

    [Fact]
    public void Render_ListPop_IsAllowedAndMutates()
    {
        Assert.Equal("1 [2, 3]", Jinja.Render("{% set l = [1, 2, 3] %}{{ l.pop(0) }} {{ l }}"));
    }

    [Theory]
    [InlineData("{% set l = [] %}{% set _ = l.append(1) %}", "access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{% set d = {} %}{% set _ = d.update({'a': 1}) %}", "access to attribute 'update' of 'dict' object is unsafe.")]
    public void Render_MutatingMethod_IsRefusedLikeHuggingFacesSandbox(string template, string message)
    {
        var error = Jinja.Fail(template);

        Assert.Equal(message, error.Reason);
    }
}
