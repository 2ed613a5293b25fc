using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Strata.KvCache.Remote;
using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

/// <summary>The remote tier over TLS (<c>rediss://</c>) with AUTH, against redis-server's TLS port.</summary>
public sealed class RemoteTlsTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly X509Certificate2 _certificate;
    private readonly StoreServer _server;

    public RemoteTlsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _server = StoreServer.StartWithTls(_certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), password: "tls-pass");
    }

    [Fact]
    public void TryRead_OverTlsWithAuth_ReturnsThePublishedPayload()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 256 * 1024);
        using var store = new RemoteBlockStore(Options("tls-pass") with
        {
            CertificateValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.GetCertHashString(),
        }, chain.Fingerprint);

        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(Patience));
        var read = new byte[chain.Payloads[0].Length];

        Assert.True(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, read));
        Assert.Equal(chain.Payloads[0], read);
        Assert.Equal(0, store.Stats.Errors);
    }

    [Fact]
    public void TryRead_UntrustedCertificate_FailsCleanlyAsAMiss()
    {
        var chain = TestChain.Create(blocks: 1, payloadBytes: 1024);
        using var store = new RemoteBlockStore(Options("tls-pass"), chain.Fingerprint);

        Assert.False(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, new byte[1024]));
        Assert.True(store.Stats.Errors > 0);
    }

    public void Dispose()
    {
        _server.Dispose();
        _certificate.Dispose();
    }

    private RemoteStoreOptions Options(string password) => PatientOptions.For($"rediss://:{password}@127.0.0.1:{_server.TlsPort}", $"test:{Guid.NewGuid():N}:");
}
