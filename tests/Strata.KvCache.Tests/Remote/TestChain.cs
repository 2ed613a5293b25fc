using System.Security.Cryptography;
using System.Text;
using Strata.KvCache.Prefix;

namespace Strata.KvCache.Tests.Remote;

/// <summary>A prefix chain of full blocks with random payloads, keyed as the engine keys them.</summary>
internal sealed record TestChain(byte[] Fingerprint, IReadOnlyList<CachedBlock> Blocks, IReadOnlyList<byte[]> Payloads)
{
    public const int BlockTokens = 16;

    public static byte[] FingerprintOf(string model) => SHA256.HashData(Encoding.UTF8.GetBytes(model));

    public static TestChain Create(int blocks, int payloadBytes, int seed = 1, string model = "model-a")
    {
        var fingerprint = FingerprintOf(model);
        var random = new Random(seed);
        var parent = BlockKey.Root(fingerprint, $"tenant-{seed}");
        var chain = new List<CachedBlock>();
        var payloads = new List<byte[]>();
        for (var i = 0; i < blocks; i++)
        {
            var tokens = Enumerable.Range(0, BlockTokens).Select(_ => random.Next(0, 150_000)).ToArray();
            var key = BlockKey.Chain(parent, tokens);
            chain.Add(new CachedBlock(key, parent, tokens));
            var payload = new byte[payloadBytes];
            random.NextBytes(payload);
            payloads.Add(payload);
            parent = key;
        }
        return new TestChain(fingerprint, chain, payloads);
    }

    public Memory<byte>[] EmptyBuffers() => Payloads.Select(p => new Memory<byte>(new byte[p.Length])).ToArray();
}
