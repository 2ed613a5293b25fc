using System.Text;
using Strata.Cli.Hardening;

namespace Strata.Cli.Tests.Hardening;

public sealed class FuzzJudgeTests
{
    private const string Error400 = """{"error":{"message":"Invalid 'top_p'.","type":"invalid_request_error","param":"top_p","code":null}}""";

    private static readonly FuzzCase TopP = Case("top_p");

    [Fact]
    public void Judge_ServerError_Violation()
    {
        var finding = FuzzJudge.Judge(TopP, new RawHttpResponse(500, "application/json", """{"error":{"message":"boom","type":"server_error","param":null,"code":null}}"""));

        Assert.Contains("HTTP 500", finding.Violation);
    }

    [Theory]
    [InlineData("text/plain", "bad request")]
    [InlineData("application/json", "")]
    [InlineData("application/json", """{"detail": "bad"}""")]
    [InlineData("application/json", """{"error": "bad"}""")]
    [InlineData("application/json", """{"error":{"message":"","type":"invalid_request_error","param":null,"code":null}}""")]
    [InlineData("application/json", """{"error":{"message":"bad","type":"invalid_request_error","code":null}}""")]
    [InlineData("application/json", """{"error":{"message":"bad","type":"invalid_request_error","param":5,"code":null}}""")]
    public void Judge_ClientErrorWithoutOpenAiBody_Violation(string mediaType, string body)
    {
        var finding = FuzzJudge.Judge(TopP, new RawHttpResponse(400, mediaType, body));

        Assert.True(finding.ClientError);
        Assert.False(finding.ErrorBody);
        Assert.Contains("without an OpenAI error body", finding.Violation);
    }

    [Theory]
    [InlineData("top_p", "top_p", true)]
    [InlineData("messages[0].content", "messages[0].content", true)]
    [InlineData("messages[0].content", "messages", true)]
    [InlineData("messages", "messages[3].role", true)]
    [InlineData("stream_options.include_usage", "stream_options", true)]
    [InlineData("top_p", "temperature", false)]
    [InlineData("top_p", null, false)]
    [InlineData("messages", "messages_x", false)]
    public void Judge_ClientErrorForAField_ParamMustNameIt(string target, string? param, bool names)
    {
        var quoted = param is null ? "null" : $"\"{param}\"";
        var body = $$$"""{"error":{"message":"bad","type":"invalid_request_error","param":{{{quoted}}},"code":null}}""";

        var finding = FuzzJudge.Judge(Case(target), new RawHttpResponse(400, "application/json", body));

        Assert.True(finding.ErrorBody);
        Assert.Equal(names, finding.NamesField);
        Assert.Equal(names, finding.Violation is null);
    }

    [Theory]
    [InlineData(413)]
    [InlineData(405)]
    [InlineData(431)]
    public void Judge_ClientErrorAboutTheWholeRequest_NoFieldToName(int status)
    {
        var body = """{"error":{"message":"too large","type":"invalid_request_error","param":null,"code":null}}""";

        var finding = FuzzJudge.Judge(TopP, new RawHttpResponse(status, "application/json", body));

        Assert.Null(finding.Violation);
        Assert.Null(finding.NamesField);
    }

    [Fact]
    public void Judge_NoAnswer_ViolationOnlyWhenOneWasOwed()
    {
        Assert.Contains("no answer", FuzzJudge.Judge(TopP, null).Violation);
        Assert.Null(FuzzJudge.Judge(TopP with { Ending = FuzzEnding.HalfClose }, null).Violation);
        Assert.Null(FuzzJudge.Judge(TopP with { Ending = FuzzEnding.Reset }, null).Violation);
    }

    [Theory]
    [InlineData("application/json", """{"choices": []}""", true)]
    [InlineData("application/json", """{"choices": [""", false)]
    [InlineData("text/event-stream", "data: {}\n\ndata: [DONE]\n\n", true)]
    [InlineData("text/event-stream", "data: {}\n\n", false)]
    public void Judge_Ok_BodyMustBeWhole(string mediaType, string body, bool whole)
    {
        Assert.Equal(whole, FuzzJudge.Judge(TopP, new RawHttpResponse(200, mediaType, body)).Violation is null);
    }

    [Fact]
    public void Judge_HeadAnswer_HasNoBodyToJudge()
    {
        var head = new FuzzCase("HEAD /v1/completions", null, [Encoding.ASCII.GetBytes("HEAD /v1/completions HTTP/1.1\r\n\r\n")], TimeSpan.Zero, FuzzEnding.Answer);

        Assert.Null(FuzzJudge.Judge(head, new RawHttpResponse(405, "application/json", "")).Violation);
    }

    [Fact]
    public void Judge_NamedFieldError_Counted()
    {
        var finding = FuzzJudge.Judge(TopP, new RawHttpResponse(400, "application/json", Error400));

        Assert.Equal(new FuzzJudge.Finding(true, true, true, null), finding);
    }

    private static FuzzCase Case(string target) =>
        new($"/v1/completions {target}", target, [Encoding.ASCII.GetBytes("POST /v1/completions HTTP/1.1\r\n\r\n")], TimeSpan.Zero, FuzzEnding.Answer);
}
