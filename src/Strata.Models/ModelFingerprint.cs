using System.Security.Cryptography;
using System.Text;
using Strata.Models.Gguf;

namespace Strata.Models;

/// <summary>
/// A SHA-256 digest of everything that makes cached K/V valid for a model file: every metadata entry (RoPE
/// parameters, dimensions, vocabulary), every tensor's name, type and shape, and all tensor data. Two files give the
/// same fingerprint only if they compute the same keys and values.
/// </summary>
public static class ModelFingerprint
{
    public static byte[] Compute(GgufFile file)
    {
        var tensorDigests = new byte[file.Tensors.Count][];
        Parallel.For(0, file.Tensors.Count, i => tensorDigests[i] = DigestTensor(file, file.Tensors[i]));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in file.Metadata.Entries)
            hash.AppendData(Encoding.UTF8.GetBytes($"{key}={value.Type}:{Describe(value)}\n"));
        for (var i = 0; i < file.Tensors.Count; i++)
        {
            var t = file.Tensors[i];
            hash.AppendData(Encoding.UTF8.GetBytes($"{t.Name}:{t.Type}:{t.Shape}\n"));
            hash.AppendData(tensorDigests[i]);
        }
        return hash.GetHashAndReset();
    }

    private static unsafe byte[] DigestTensor(GgufFile file, GgufTensorInfo tensor)
    {
        const int Chunk = 1 << 30;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var data = file.TensorData(tensor);
        for (long offset = 0; offset < tensor.ByteSize; offset += Chunk)
            hash.AppendData(new ReadOnlySpan<byte>(data + offset, (int)Math.Min(Chunk, tensor.ByteSize - offset)));
        return hash.GetHashAndReset();
    }

    private static string Describe(GgufValue value) => value.Raw is GgufArray array
        ? string.Join("\u0001", array.Items.Cast<object>().Select(item => item is GgufArray nested ? $"[{nested.Count}]" : Convert.ToString(item, System.Globalization.CultureInfo.InvariantCulture)))
        : value.ToString();
}
