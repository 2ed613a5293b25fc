using System.Diagnostics;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class ResponseStreamReaderTests
{
    private const string CompletionStream =
        "data: {\"choices\":[{\"text\":\" Once\",\"index\":0,\"finish_reason\":null}]}\n\n" +
        "data: {\"choices\":[{\"text\":\" upon\",\"index\":0,\"finish_reason\":null}]}\n\n" +
        ": a comment line, ignored\n\n" +
        "data: {\"choices\":[{\"text\":\" a time – é\",\"index\":0,\"finish_reason\":null}]}\n\n" +
        "data: {\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"length\"}]}\n\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16,\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\n" +
        "data: [DONE]\n\n";

    private const string ChatStream =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\r\n\r\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"}}]}\r\n\r\n" +
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n" +
        "data: [DONE]\r\n\r\n";

    public static TheoryData<int> ReadSizes => new() { 1, 2, 3, 7, 64, 4096 };

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task ReadAsync_CompletionStreamSplitAcrossReads_UsesUsageChunk(int bytesPerRead)
    {
        var record = await Read(CompletionStream, bytesPerRead);

        Assert.True(record.Succeeded, record.Error);
        Assert.Equal(12, record.PromptTokens);
        Assert.Equal(4, record.OutputTokens);
        Assert.Equal(8, record.CachedTokens);
        // Three chunks carried text (the empty finishing chunk does not count): two gaps between them.
        Assert.Equal(2, record.InterTokenLatencies.Count);
        Assert.True(record.TimeToFirstToken > TimeSpan.Zero);
        Assert.True(record.EndToEnd >= record.TimeToFirstToken + record.InterTokenLatencies.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Theory]
    [MemberData(nameof(ReadSizes))]
    public async Task ReadAsync_ChatStreamWithoutUsage_CountsContentChunksAndSkipsRoleChunk(int bytesPerRead)
    {
        var record = await Read(ChatStream, bytesPerRead, fallbackPromptTokens: 33);

        Assert.True(record.Succeeded, record.Error);
        Assert.Equal(2, record.OutputTokens);
        Assert.Equal(33, record.PromptTokens);
        Assert.Null(record.CachedTokens);
        Assert.Single(record.InterTokenLatencies);
    }

    [Fact]
    public async Task ReadAsync_NoDoneMarker_Fails()
    {
        var truncated = CompletionStream[..CompletionStream.IndexOf("data: [DONE]", StringComparison.Ordinal)];

        var record = await Read(truncated, 5);

        Assert.False(record.Succeeded);
        Assert.Contains("[DONE]", record.Error);
    }

    [Fact]
    public async Task ReadAsync_ErrorChunk_FailsWithItsMessage()
    {
        const string stream =
            "data: {\"choices\":[{\"text\":\" a\"}]}\n\n" +
            "data: {\"error\":{\"code\":500,\"message\":\"the KV cache is full\",\"type\":\"server_error\"}}\n\n" +
            "data: [DONE]\n\n";

        var record = await Read(stream, 3);

        Assert.Equal("the KV cache is full", record.Error);
    }

    [Fact]
    public async Task ReadAsync_MalformedJson_Fails()
    {
        var record = await Read("data: {\"choices\":[{\"text\":\n\ndata: [DONE]\n\n", 4);

        Assert.StartsWith("malformed stream chunk", record.Error);
    }

    [Fact]
    public async Task ReadAsync_NoGeneratedText_Fails()
    {
        var record = await Read("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0}}\n\ndata: [DONE]\n\n", 4);

        Assert.False(record.Succeeded);
    }

    [Fact]
    public async Task ReadAsync_MultiLineData_JoinedBeforeParsing()
    {
        var record = await Read("data: {\"choices\":\ndata: [{\"text\":\"x\"}]}\n\ndata: [DONE]\n\n", 2);

        Assert.True(record.Succeeded, record.Error);
        Assert.Equal(1, record.OutputTokens);
    }

    [Fact]
    public void StreamChunk_ReasoningContent_CountsAsText()
    {
        var chunk = StreamChunk.Parse("{\"choices\":[{\"delta\":{\"content\":null,\"reasoning_content\":\"hmm\"}}]}");

        Assert.Equal("hmm", chunk.Text);
    }

    private static Task<RequestRecord> Read(string text, int bytesPerRead, int fallbackPromptTokens = 0) =>
        ResponseStreamReader.ReadAsync(new TrickleStream(text, bytesPerRead), Stopwatch.GetTimestamp(), fallbackPromptTokens, CancellationToken.None);
}
