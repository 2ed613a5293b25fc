using System.Text.Json;
using Json.Schema;
using Strata.Engine;
using Strata.Engine.Constraints;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Grammar.Json;
using Strata.Models;
using Xunit.Abstractions;

namespace Strata.Grammar.Tests;

/// <summary>
/// Every output generated under a JSON schema parses and validates, checked with JsonSchema.Net (not our parser):
/// on the trained TinyStories model and on a random-weight model with a 32k vocabulary, greedy and sampled, and
/// with token limits tight enough that the grammar must steer the output to close in time.
/// </summary>
public sealed class SchemaConformanceTests(Models models, ITestOutputHelper log) : IClassFixture<Models>
{
    public static TheoryData<string, string> Cases()
    {
        var rows = new TheoryData<string, string>();
        foreach (var schema in SchemaSuite.Schemas.Keys)
        {
            rows.Add("stories", schema);
            rows.Add("synth", schema);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Generate_UnderSchema_EveryOutputValidates(string model, string schemaName)
    {
        var schemaText = SchemaSuite.Schemas[schemaName];
        var loaded = models[model];
        var grammar = new TokenGrammar(CompiledGrammar.FromGbnf(JsonSchemaCompiler.ToGbnf(JsonDocument.Parse(schemaText).RootElement)),
            TokenVocabularies.For(loaded.Tokenizer));
        var validator = JsonSchema.FromText(schemaText);
        using var engine = InferenceEngine.Start(loaded, new EngineOptions { KvCacheBytes = 32L << 20, Threads = 2, MaxBatchedTokens = 256 });
        var prompt = loaded.Tokenizer.Encode("Once upon a time", addSpecial: true, parseSpecial: true);

        var runs = new List<(string Label, GenerationRequest Request)>();
        foreach (var maxTokens in (int[])[48, 128])
        {
            runs.Add(($"greedy, {maxTokens} tokens", Request(prompt, grammar, SamplingParams.Greedy with { MaxTokens = maxTokens })));
            runs.Add(($"sampled, {maxTokens} tokens", Request(prompt, grammar, new SamplingParams { Temperature = 1.2f, Seed = 11, MaxTokens = maxTokens }, choices: 3)));
        }
        var outputs = new List<(string Label, string Text)>();
        foreach (var (label, request) in runs)
        {
            var texts = await CollectAsync(engine.Submit(request), request.Choices);
            outputs.AddRange(texts.Select((text, i) => ($"{label}, choice {i}", text)));
        }

        foreach (var (label, text) in outputs)
            log.WriteLine($"{label}: {text}");
        Assert.All(outputs, output =>
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(output.Text);
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"{model} {schemaName} ({output.Label}): not JSON: {output.Text}\n{ex.Message}");
            }
            using (document)
            {
                var result = validator.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
                Assert.True(result.IsValid, $"{model} {schemaName} ({output.Label}): invalid: {output.Text}\n{JsonSerializer.Serialize(result)}");
            }
        });
    }

    private static GenerationRequest Request(int[] prompt, TokenGrammar grammar, SamplingParams sampling, int choices = 1) =>
        new() { PromptTokens = prompt, Sampling = sampling, Grammar = grammar, Choices = choices };

    private static async Task<string[]> CollectAsync(GenerationHandle handle, int choices)
    {
        var texts = Enumerable.Range(0, choices).Select(_ => new System.Text.StringBuilder()).ToArray();
        await foreach (var e in handle.Events.ReadAllAsync())
        {
            switch (e)
            {
                case TokenEvent token:
                    texts[token.Choice].Append(token.Text);
                    break;
                case FinishEvent finish:
                    Assert.True(finish.Reason is FinishReason.Stop or FinishReason.Length, $"finished with {finish.Reason}");
                    texts[finish.Choice].Append(finish.Text);
                    break;
            }
        }
        return texts.Select(t => t.ToString()).ToArray();
    }
}
