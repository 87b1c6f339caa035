using Microsoft.AspNetCore.Http;

namespace Woodpecker.Transport;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class GrpcServerCallContext
{
    private readonly HttpContext _http;
    private readonly Dictionary<string, string> _trailers = new(StringComparer.OrdinalIgnoreCase);

    internal GrpcServerCallContext(HttpContext http, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        _http = http;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>Fires when the client cancels or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The deadline from grpc-timeout, when the client sent one.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>The method path, "/package.Service/Method".</summary>
    public string Method { get; }

    /// <summary>The request headers.</summary>
    public IHeaderDictionary RequestHeaders => _http.Request.Headers;

    /// <summary>The client's address.</summary>
    public string Peer => $"{_http.Connection.RemoteIpAddress}:{_http.Connection.RemotePort}";

    internal IReadOnlyDictionary<string, string> Trailers => _trailers;

    /// <summary>Adds a trailer sent with the status (OK or not).</summary>
    public void SetTrailer(string name, string value) => _trailers[name] = value;
}
