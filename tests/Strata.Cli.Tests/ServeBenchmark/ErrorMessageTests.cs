using System.Net.Sockets;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class ErrorMessageTests
{
    [Theory]
    [InlineData("{\"error\":{\"message\":\"context too long\",\"code\":400}}", "context too long")]
    [InlineData("{\"error\":\"rate limited\"}", "rate limited")]
    [InlineData("{\"detail\":\"Not Found\"}", "{\"detail\":\"Not Found\"}")]
    [InlineData("<html>\n<body>Bad Gateway</body>\n</html>", "<html> <body>Bad Gateway</body> </html>")]
    public void FromBody_OpenAiErrorOrAnythingElse_OneLine(string body, string expected)
    {
        Assert.Equal(expected, ErrorMessage.FromBody(body));
    }

    [Fact]
    public void FromBody_Long_Shortened()
    {
        var message = ErrorMessage.FromBody(new string('x', 1000));

        Assert.Equal(201, message.Length);
        Assert.EndsWith("…", message);
    }

    [Fact]
    public void Describe_NestedExceptions_CausesJoinedWithoutRepeats()
    {
        var refused = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
        var outer = new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely."));

        Assert.Equal("Connection refused (127.0.0.1:1)", ErrorMessage.Describe(refused));
        Assert.Equal("An error occurred while sending the request.: The response ended prematurely.", ErrorMessage.Describe(outer));
    }
}
