using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>
/// Derives the block keys of several prompts at once, each exactly <see cref="BlockKey.Chain"/>'s (SHA-256 over the
/// parent key and the block's token ids, the first 128 bits), with one prompt per lane of a 512-bit vector. A key
/// chains on its parent, so one prompt's blocks cannot be hashed together, but different prompts' can: a simulated
/// hour derives ~46 million prompt keys, and OpenSSL's per-call overhead made hashing them one by one most of the
/// workload reader's time. Use it where <see cref="Vector512.IsHardwareAccelerated"/>. Not thread-safe.
/// </summary>
internal sealed class BlockKeyLanes
{
    public const int Lanes = 16;

    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] InitialState = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    private readonly int _blockSize;

    // The padded messages of all lanes, word by word: word w of lane l at [w * Lanes + l], as SHA-256 reads it (big-endian).
    private readonly uint[] _words;
    private readonly uint[] _digest = new uint[4 * Lanes];

    public BlockKeyLanes(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _blockSize = blockSize;
        var bytes = BlockKey.Size + sizeof(int) * blockSize;
        // The message, a 1 bit (a whole word: the message is whole words), zeros, and its length in bits (64, big-endian).
        var words = (bytes + 1 + sizeof(ulong) + 63) / 64 * 16;
        _words = new uint[words * Lanes];
        for (var lane = 0; lane < Lanes; lane++)
        {
            _words[(bytes / 4) * Lanes + lane] = 0x80000000;
            _words[(words - 1) * Lanes + lane] = (uint)(bytes * 8);
            _words[(words - 2) * Lanes + lane] = (uint)((ulong)bytes * 8 >> 32);
        }
    }

    /// <summary>
    /// Appends to each list the keys of its prompt's full blocks, as <see cref="CacheIdentity.Extend"/> would from
    /// <paramref name="root"/> for <c>prompt.Length / blockSize</c> blocks; at most <see cref="Lanes"/> prompts.
    /// </summary>
    public void Keys(BlockKey root, ReadOnlySpan<int[]> prompts, ReadOnlySpan<List<BlockKey>> keys)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prompts.Length, Lanes);
        var longest = 0;
        foreach (var prompt in prompts)
            longest = Math.Max(longest, prompt.Length / _blockSize);
        for (var block = 0; block < longest; block++)
        {
            for (var lane = 0; lane < prompts.Length; lane++)
            {
                if (block < prompts[lane].Length / _blockSize)
                    Write(lane, block == 0 ? root : keys[lane][block - 1], prompts[lane].AsSpan(block * _blockSize, _blockSize));
            }
            Hash();
            for (var lane = 0; lane < prompts.Length; lane++)
            {
                if (block < prompts[lane].Length / _blockSize)
                    keys[lane].Add(Key(lane));
            }
        }
    }

    /// <summary>Puts the message <see cref="BlockKey.Chain"/> hashes into a lane: the parent key's bytes, then the token ids' little-endian bytes.</summary>
    private void Write(int lane, BlockKey parent, ReadOnlySpan<int> tokens)
    {
        var words = _words;
        words[lane] = (uint)(parent.High >> 32);
        words[Lanes + lane] = (uint)parent.High;
        words[2 * Lanes + lane] = (uint)(parent.Low >> 32);
        words[3 * Lanes + lane] = (uint)parent.Low;
        for (var i = 0; i < tokens.Length; i++)
            words[(4 + i) * Lanes + lane] = BinaryPrimitives.ReverseEndianness((uint)tokens[i]);
    }

    private BlockKey Key(int lane) => new(
        (ulong)_digest[lane] << 32 | _digest[Lanes + lane],
        (ulong)_digest[2 * Lanes + lane] << 32 | _digest[3 * Lanes + lane]);

    /// <summary>SHA-256 of every lane's message; the first four words of each digest go to <see cref="_digest"/>.</summary>
    private void Hash()
    {
        Span<Vector512<uint>> state = stackalloc Vector512<uint>[8];
        for (var i = 0; i < 8; i++)
            state[i] = Vector512.Create(InitialState[i]);
        Span<Vector512<uint>> w = stackalloc Vector512<uint>[64];
        for (var chunk = 0; chunk < _words.Length; chunk += 16 * Lanes)
        {
            for (var t = 0; t < 16; t++)
                w[t] = Vector512.Create(_words.AsSpan(chunk + t * Lanes, Lanes));
            for (var t = 16; t < 64; t++)
            {
                var s0 = Rotate(w[t - 15], 7) ^ Rotate(w[t - 15], 18) ^ Vector512.ShiftRightLogical(w[t - 15], 3);
                var s1 = Rotate(w[t - 2], 17) ^ Rotate(w[t - 2], 19) ^ Vector512.ShiftRightLogical(w[t - 2], 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }
            var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
            for (var t = 0; t < 64; t++)
            {
                var t1 = h + (Rotate(e, 6) ^ Rotate(e, 11) ^ Rotate(e, 25)) + ((e & f) ^ Vector512.AndNot(g, e)) + Vector512.Create(RoundConstants[t]) + w[t];
                var t2 = (Rotate(a, 2) ^ Rotate(a, 13) ^ Rotate(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                (h, g, f, e, d, c, b, a) = (g, f, e, d + t1, c, b, a, t1 + t2);
            }
            state[0] += a;
            state[1] += b;
            state[2] += c;
            state[3] += d;
            state[4] += e;
            state[5] += f;
            state[6] += g;
            state[7] += h;
        }
        for (var i = 0; i < 4; i++)
            state[i].CopyTo(_digest.AsSpan(i * Lanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Rotate(Vector512<uint> x, [ConstantExpected] byte bits) =>
        Avx512F.IsSupported
            ? Avx512F.RotateRight(x, bits)
            : Vector512.ShiftRightLogical(x, bits) | Vector512.ShiftLeft(x, 32 - bits);
}
