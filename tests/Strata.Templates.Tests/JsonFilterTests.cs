namespace Strata.Templates.Tests;

/// <summary>tojson matches Python's json.dumps as Hugging Face calls it (non-ASCII kept, ", " and ": " separators).</summary>
public sealed class JsonFilterTests
{
    [Fact]
    public void Render_ToJson_MatchesPythonJsonDumps()
    {
        const string variables = """{"v": {"s": "café 🤖 \"q\" \\ \n\t\u0001 <&>", "i": 1, "f": 1.0, "g": 2.5e-7, "b": true, "n": null, "l": [1, [], {}]}}""";

        Assert.Equal(
            """{"s": "café 🤖 \"q\" \\ \n\t\u0001 <&>", "i": 1, "f": 1.0, "g": 2.5e-07, "b": true, "n": null, "l": [1, [], {}]}""",
            Jinja.Render("{{ v | tojson }}", variables));
    }

    [Fact]
    public void Render_ToJsonEnsureAscii_EscapesNonAsciiAsUtf16()
    {
        Assert.Equal("\"caf\\u00e9 \\ud83e\\udd16\"", Jinja.Render("{{ 'café 🤖' | tojson(ensure_ascii=true) }}"));
    }

    [Fact]
    public void Render_ToJsonIndent_UsesPythonLayout()
    {
        Assert.Equal("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}", Jinja.Render("{{ {'a': [1, 2], 'b': {}} | tojson(indent=2) }}"));
    }

    [Fact]
    public void Render_ToJsonSortKeysAndSeparators_AreHonoured()
    {
        Assert.Equal("{\"a\":2,\"b\":1}", Jinja.Render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true, separators=(',', ':')) }}"));
    }

    [Fact]
    public void Render_ToJsonOfUndefined_FailsLikePython()
    {
        Assert.Contains("not JSON serializable", Jinja.Fail("{{ missing | tojson }}").Reason, StringComparison.Ordinal);
    }
}
