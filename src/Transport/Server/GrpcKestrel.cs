using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Woodpecker.Transport;

/// <summary>Kestrel endpoints for gRPC.</summary>
public static class GrpcKestrel
{
    /// <summary>
    /// Listens for HTTP/2 without TLS ("h2c" with prior knowledge, what gRPC clients use on plaintext channels). The
    /// endpoint speaks HTTP/2 only: HTTP/1.1 clients (curl without --http2-prior-knowledge) are refused.
    /// </summary>
    public static void ListenH2c(KestrelServerOptions kestrel, IPAddress address, int port) =>
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);

    /// <summary>
    /// Listens for HTTP/2 over TLS (ALPN "h2") with <paramref name="certificate"/>: the same as <see cref="ListenTls"/>,
    /// for callers that pick plaintext or TLS with one call (a null certificate means h2c).
    /// </summary>
    public static void ListenH2c(KestrelServerOptions kestrel, IPAddress address, int port, X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            ListenH2c(kestrel, address, port);
        }
        else
        {
            ListenTls(kestrel, address, port, certificate);
        }
    }

    /// <summary>Listens for HTTP/2 over TLS (ALPN "h2") with <paramref name="certificate"/>.</summary>
    public static void ListenTls(KestrelServerOptions kestrel, IPAddress address, int port, X509Certificate2 certificate) =>
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        });

    /// <summary>
    /// Widens HTTP/2 flow-control windows (Kestrel's defaults, 1 MiB per connection, throttle a busy log's stream on a
    /// fast network) and allows many concurrent streams per connection (every tail reader and writer is one).
    /// </summary>
    public static void TuneHttp2(KestrelServerOptions kestrel)
    {
        kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
        kestrel.Limits.Http2.InitialStreamWindowSize = 8 * 1024 * 1024;
    }
}
