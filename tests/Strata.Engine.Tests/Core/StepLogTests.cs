using Strata.Engine.Core;

namespace Strata.Engine.Tests.Core;

/// <summary>The engine's step log, which the simulator's validation lines up with a client's requests.</summary>
public sealed class StepLogTests
{
    [Fact]
    public void Write_OneLinePerStep_WithItsEndAndWhatItRan()
    {
        var path = Path.GetTempFileName();
        try
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using (var log = new StepLog(path))
            {
                log.Write(new StepRecord(1, 0, 0.25, Sequences: 2, PrefillTokens: 63, DecodeSequences: 1, DraftTokens: 0, ContextTokens: 510, AcceptedTokens: 0, PrefillAttention: 8001));
                log.Flush();
                log.Write(new StepRecord(2, 0, 0.02, Sequences: 1, PrefillTokens: 0, DecodeSequences: 1, DraftTokens: 0, ContextTokens: 447, AcceptedTokens: 0, PrefillAttention: 0));
            }
            var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

            var lines = File.ReadAllLines(path);
            Assert.Equal("ended_unix_ms,seconds,sequences,prefill_tokens,decode_sequences,context_tokens,prefill_attention", lines[0]);
            Assert.Equal(3, lines.Length);
            var first = lines[1].Split(',');
            Assert.InRange(long.Parse(first[0]), before, after);
            Assert.Equal(["0.25", "2", "63", "1", "510", "8001"], first[1..]);
            Assert.Equal(["0.02", "1", "0", "1", "447", "0"], lines[2].Split(',')[1..]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
