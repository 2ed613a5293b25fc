using System.Text;
using Strata.Cli.Hardening;

namespace Strata.Cli.Tests.Hardening;

public sealed class RawHttpResponseTests
{
    [Fact]
    public void TryParse_ContentLength_BodyOnceWhole()
    {
        const string response = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}";

        Assert.Null(Parse(response[..^1], complete: false));
        Assert.Equal(new RawHttpResponse(400, "application/json", "{}"), Parse(response, complete: false));
    }

    [Fact]
    public void TryParse_Chunked_Dechunked()
    {
        const string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n6\r\ndata: \r\n3;ext=1\r\nabc\r\n0\r\n\r\n";

        Assert.Null(Parse(response[..^7], complete: false));
        Assert.Equal(new RawHttpResponse(200, "text/event-stream", "data: abc"), Parse(response, complete: false));
    }

    [Fact]
    public void TryParse_InterimContinue_SkippedForTheRealAnswer()
    {
        const string response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

        Assert.Equal(404, Parse(response, complete: false)!.Status);
    }

    [Fact]
    public void TryParse_NoLength_BodyRunsToTheClose()
    {
        const string response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello";

        Assert.Null(Parse(response, complete: false));
        Assert.Equal("hello", Parse(response, complete: true)!.Body);
    }

    private static RawHttpResponse? Parse(string text, bool complete) => RawHttpResponse.TryParse(Encoding.UTF8.GetBytes(text), complete);
}
