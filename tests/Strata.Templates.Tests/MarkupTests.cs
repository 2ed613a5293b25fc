namespace Strata.Templates.Tests;

/// <summary>
/// safe and escape return markupsafe's Markup, which HTML-escapes plain strings joined to it even
/// though autoescape is off; Hugging Face's renderings of templates that mix "|safe" and "+" show it.
/// </summary>
public sealed class MarkupTests
{
    [Fact]
    public void Render_PlusWithMarkup_EscapesThePlainSide()
    {
        Assert.Equal("Use &#39;f&lt;x&gt;&#39; {&#34;a&#34;: 1}", Jinja.Render("{{ 'Use '|safe + \"'f<x>'\" + ' '|safe + {'a': 1}|tojson }}"));
        Assert.Equal("a&amp;b<i>", Jinja.Render("{{ 'a&b' + '<i>'|safe }}"));
    }

    [Fact]
    public void Render_TildeWithMarkup_DoesNotEscape()
    {
        Assert.Equal("<b>&", Jinja.Render("{{ '<b>'|safe ~ '&' }}"));
    }

    [Fact]
    public void Render_EscapeAndEscapedTest_FollowMarkupsafe()
    {
        Assert.Equal("&lt;a&gt; True False <a>", Jinja.Render("{{ '<a>'|e }} {{ 'x'|safe is escaped }} {{ 'x' is escaped }} {{ '<a>'|safe|escape }}"));
    }

    [Fact]
    public void Render_MarkupMethodsAndFormatting_EscapeTheirArguments()
    {
        Assert.Equal("a&lt;b, <c>|x=&lt;y&gt;|<p>&amp;</p>|&lt;", Jinja.Render("{{ (', '|safe).join(['a<b', '<c>'|safe]) }}|{{ 'x=%s'|safe % '<y>' }}|{{ ('<p>{}</p>'|safe).format('&') }}|{{ ('<'|e)[:4] }}"));
    }
}
