using System.Text.Json;
using Strata.Simulation;

namespace Strata.Cli.ServeBenchmark;

/// <summary>Writes a simulation's settings, its summary in <c>bench serve</c>'s JSON names and units, and every request's measurements.</summary>
internal static class SimJsonReport
{
    public static void Write(Stream stream, StepProfile profile, ClusterSettings settings, string dataset, SimulationResult simulation,
        BenchmarkSummary summary, IReadOnlyList<RequestRecord> records, double wallSeconds)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("date", DateTimeOffset.UtcNow);
        json.WriteString("model", profile.Model);
        json.WriteString("dataset", dataset);
        json.WriteNumber("num_prompts", records.Count);
        json.WriteNumber("nodes", settings.Nodes);
        if (settings.Disaggregation is { } d)
        {
            json.WriteNumber("prefill_nodes", d.PrefillNodes);
            json.WriteNumber("transfer_bytes_per_second", d.TransferBytesPerSecond);
            json.WriteNumber("kv_block_bytes", d.BlockBytes);
            json.WriteNumber("disagg_threshold", d.Threshold);
        }
        json.WriteNumber("host_blocks_per_node", settings.Node.HostBlocks);
        json.WriteNumber("disk_blocks_per_node", settings.Node.DiskBlocks);
        json.WriteString("router", settings.Router.ToString());
        json.WriteNumber("kv_blocks_per_node", settings.Node.KvBlocks);
        json.WriteNumber("max_num_batched_tokens", settings.Node.MaxBatchedTokens);
        json.WriteNumber("max_num_seqs", settings.Node.MaxSequences);
        json.WriteNumber("cache_hit_rate", simulation.CacheHitRate);
        json.WriteNumber("steps", simulation.Steps);
        json.WriteNumber("wall_s", wallSeconds);
        JsonReport.WriteSummary(json, summary);
        json.WriteStartArray("requests");
        foreach (var record in records)
            JsonReport.WriteRecord(json, record);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
