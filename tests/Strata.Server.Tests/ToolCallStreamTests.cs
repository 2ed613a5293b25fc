using Strata.Server.Tools;

namespace Strata.Server.Tests;

/// <summary>Tool calls read from the three families' output, streamed in pieces of every size.</summary>
public sealed class ToolCallStreamTests
{
    public static TheoryData<string, string, string, string[], string[]> Outputs => new()
    {
        { "hermes", "Let me check.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris <3\"}}\n</tool_call>",
            "Let me check.", ["get_weather"], ["{\"city\": \"Paris <3\"}"] },
        { "hermes", "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"b\", \"arguments\": {\"x\": [1, {\"y\": \"}\"}]}}</tool_call>",
            "", ["a", "b"], ["{}", "{\"x\": [1, {\"y\": \"}\"}]}"] },
        { "hermes", "1 < 2 and <tool is not a call", "1 < 2 and <tool is not a call", [], [] },
        { "hermes", "<tool_call>not json</tool_call>", "<tool_call>not json</tool_call>", [], [] },
        { "llama3", " {\"name\": \"add\", \"parameters\": {\"a\": 2, \"b\": 3}}", "", ["add"], ["{\"a\": 2, \"b\": 3}"] },
        { "llama3", "{curly text} is not a call", "{curly text} is not a call", [], [] },
        { "llama3", "Sure: {\"name\": \"add\"}", "Sure: {\"name\": \"add\"}", [], [] },
        { "mistral", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Oslo\"}[TOOL_CALLS]add[ARGS]{\"a\": 1, \"b\": 2}",
            "", ["get_weather", "add"], ["{\"city\": \"Oslo\"}", "{\"a\": 1, \"b\": 2}"] },
        { "mistral", "No tools [TOOL_ needed", "No tools [TOOL_ needed", [], [] },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Push_AnyChunking_ReassemblesContentAndCalls(string family, string output, string content, string[] names, string[] arguments)
    {
        var format = family switch { "hermes" => ToolCallFormat.Hermes, "llama3" => ToolCallFormat.Llama3, _ => ToolCallFormat.Mistral };
        foreach (var size in (int[])[1, 2, 3, 7, output.Length])
        {
            var stream = new ToolCallStream(format);
            var text = new System.Text.StringBuilder();
            var calls = new List<(string Id, string Name, System.Text.StringBuilder Arguments)>();
            void Take((string Content, IReadOnlyList<ToolCallDelta> Calls) step)
            {
                text.Append(step.Content);
                foreach (var delta in step.Calls)
                {
                    if (delta.Id is not null)
                        calls.Add((delta.Id, delta.Name!, new System.Text.StringBuilder()));
                    calls[delta.Index].Arguments.Append(delta.Arguments);
                }
            }
            for (var i = 0; i < output.Length; i += size)
                Take(stream.Push(output.Substring(i, Math.Min(size, output.Length - i))));
            Take(stream.Finish(""));

            Assert.Equal(content, text.ToString().Trim());
            Assert.Equal(names, calls.Select(c => c.Name));
            Assert.Equal(arguments, calls.Select(c => c.Arguments.ToString()));
            Assert.Equal(names.Length > 0, stream.CalledTools);
            Assert.Equal(calls.Count, calls.Select(c => c.Id).Distinct().Count());
        }
    }

    [Theory]
    [InlineData("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", "hermes")]
    [InlineData("Qwen-Qwen2.5-7B-Instruct", "hermes")]
    [InlineData("meta-llama-Llama-3.1-8B-Instruct", "llama3")]
    [InlineData("meta-llama-Llama-3.3-70B-Instruct", "llama3")]
    [InlineData("Mistral-Small-3.2-24B-Instruct-2506", "mistral")]
    public void ForTemplate_RealTemplates_PickTheirFamily(string template, string family)
    {
        var source = File.ReadAllText(Path.Combine(Strata.TestSupport.SharedData.ChatTemplatesDir, template + ".jinja"));

        Assert.Equal(family, ToolCallFormat.ForTemplate(source).Name);
    }
}
