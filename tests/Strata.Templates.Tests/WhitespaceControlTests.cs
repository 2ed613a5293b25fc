namespace Strata.Templates.Tests;

/// <summary>trim_blocks and lstrip_blocks are on, as Hugging Face configures Jinja; "-" and "+" override them per tag.</summary>
public sealed class WhitespaceControlTests
{
    [Fact]
    public void Render_BlockTagAtEndOfLine_DropsTheNewline()
    {
        Assert.Equal("a\nb\n", Jinja.Render("{% if true %}\na\n{% endif %}\nb\n\n"));
    }

    [Fact]
    public void Render_IndentedBlockTag_DropsTheIndentation()
    {
        Assert.Equal("x\n", Jinja.Render("    {% if true %}\n    {%- if true %}\nx\n    {% endif %}\n  {% endif %}\n"));
    }

    [Fact]
    public void Render_VariableTag_KeepsSurroundingWhitespace()
    {
        Assert.Equal("  1\n2", Jinja.Render("  {{ 1 }}\n{{ 2 }}"));
    }

    [Fact]
    public void Render_MinusMarkers_StripAllWhitespaceOnThatSide()
    {
        Assert.Equal("a|b|c", Jinja.Render("a  \n {{- '|' -}} \n\n b {%- if true -%}  \n|\n  {%- endif %}c"));
    }

    [Fact]
    public void Render_PlusMarkers_DisableLstripAndTrim()
    {
        Assert.Equal("  \nx\n", Jinja.Render("  {%+ if true +%}\nx\n{% endif %}"));
    }

    [Fact]
    public void Render_Comment_IsRemovedWithItsLine()
    {
        Assert.Equal("a\nb", Jinja.Render("a\n  {# note #}\nb"));
    }

    [Fact]
    public void Render_TextBeforeTagOnSameLine_IsNotStripped()
    {
        Assert.Equal("x  y", Jinja.Render("x  {% if true %}y{% endif %}"));
    }

    [Fact]
    public void Render_SingleTrailingNewline_IsDropped()
    {
        Assert.Equal("a\n", Jinja.Render("a\n\n"));
        Assert.Equal("a", Jinja.Render("a\r\n"));
    }

    [Fact]
    public void Render_RawBlock_KeepsTagsAsText()
    {
        Assert.Equal("{{ x }} {% if %}", Jinja.Render("{% raw %}{{ x }} {% if %}{% endraw %}"));
    }
}
