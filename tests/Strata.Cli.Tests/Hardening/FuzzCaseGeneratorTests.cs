using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Strata.Cli.Hardening;

namespace Strata.Cli.Tests.Hardening;

public sealed class FuzzCaseGeneratorTests
{
    private static readonly Uri Server = new("http://127.0.0.1:8000");

    [Fact]
    public void Next_SameSeed_SameCases()
    {
        var first = Generate(200, seed: 4);
        var again = Generate(200, seed: 4);

        Assert.Equal(first.Select(c => c.Name), again.Select(c => c.Name));
        Assert.Equal(first.Select(Digest), again.Select(Digest));
    }

    [Fact]
    public void Next_FifteenHundredCases_CoverEveryDocumentedFieldAndEveryKindOfCase()
    {
        var cases = Generate(1500, seed: 1);

        var targets = cases.Select(c => c.Target).OfType<string>().ToHashSet();
        Assert.Subset(targets, RequestSchema.Fields.Select(f => f.Target).ToHashSet());
        foreach (var kind in new[] { "unknown field", "repeated name", "truncated JSON", "chunk size that overflows", "URL of 20 kB", "one header of 40 kB", "reset mid-body", "FIN mid-body", "slow body", "connect and leave" })
            Assert.Contains(cases, c => c.Name.Contains(kind, StringComparison.Ordinal));
        Assert.Contains(cases, c => c.Ending == FuzzEnding.Reset);
        Assert.Contains(cases, c => c.Pieces.Count > 2 && c.Gap > TimeSpan.Zero);
    }

    [Fact]
    public void Next_FieldCase_BodyIsServerJsonAroundTheValidRequest()
    {
        var fieldCases = Generate(400, seed: 2).Where(c => c.Target is not null).ToList();

        Assert.NotEmpty(fieldCases);
        foreach (var fieldCase in fieldCases)
        {
            var request = fieldCase.Pieces.Single();
            var bodyAt = request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
            var head = Encoding.ASCII.GetString(request, 0, bodyAt);
            var body = head.Contains("chunked", StringComparison.Ordinal) ? Dechunk(request.AsSpan(bodyAt)) : request[bodyAt..];
            using var json = JsonDocument.Parse(body);
            if (fieldCase.Target != "model")
                Assert.Equal("fake-model", json.RootElement.GetProperty("model").GetString());
            Assert.True(new[] { "prompt", "messages", "content", "tokens" }.Any(name => json.RootElement.TryGetProperty(name, out _)), fieldCase.Name);
        }
    }

    private static string Digest(FuzzCase fuzzCase) => Convert.ToHexString(SHA256.HashData(fuzzCase.Pieces.SelectMany(p => p).ToArray()));

    private static List<FuzzCase> Generate(int count, int seed)
    {
        var generator = new FuzzCaseGenerator(Server, "fake-model", null, new Random(seed));
        return Enumerable.Range(0, count).Select(_ => generator.Next()).ToList();
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        var sizeEnd = chunked.IndexOf("\r\n"u8);
        var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked[..sizeEnd]), 16);
        return chunked.Slice(sizeEnd + 2, size).ToArray();
    }
}
