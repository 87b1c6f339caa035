using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Woodpecker.Transport.Framing;
using Woodpecker.Transport.Server;

namespace Woodpecker.Transport;

/// <summary>Serves <see cref="GrpcServiceDefinition"/>s on ASP.NET Core endpoints (Kestrel, HTTP/2).</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    private static readonly TimeSpan MaxTimer = TimeSpan.FromDays(30);
    private static readonly Dictionary<string, string> EmptyTrailers = [];

    /// <summary>
    /// Maps POST /{service}/{method} for every method of <paramref name="service"/>, and answers Unimplemented for
    /// any other method of the service.
    /// </summary>
    public static IEndpointRouteBuilder MapGrpcService(this IEndpointRouteBuilder endpoints, GrpcServiceDefinition service, GrpcServerOptions? options = null)
    {
        options ??= new GrpcServerOptions();
        options.Validate();
        foreach (var method in service.Methods)
        {
            var path = $"/{service.ServiceName}/{method.Name}";
            endpoints.MapPost(path, context => ServeAsync(context, path, method, options));
        }

        endpoints.MapPost($"/{service.ServiceName}/{{method}}", context => ServeAsync(
            context,
            context.Request.Path,
            new ServerMethod("unknown", _ => throw new GrpcStatusException(
                GrpcStatusCode.Unimplemented, $"{service.ServiceName} has no method '{context.GetRouteValue("method")}'.")),
            options));
        return endpoints;
    }

    private static async Task ServeAsync(HttpContext http, string path, ServerMethod method, GrpcServerOptions options)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol))
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await http.Response.WriteAsync("gRPC needs HTTP/2.\n").ConfigureAwait(false);
            return;
        }

        if (http.Request.ContentType is not { } contentType || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        // Streams may stay open for hours and send little: no body size limit, no minimum data rate.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
        {
            maxBody.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequestRate)
        {
            minRequestRate.MinDataRate = null;
        }

        if (http.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponseRate)
        {
            minResponseRate.MinDataRate = null;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/grpc";
        DateTimeOffset? deadline = null;
        using var call = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (GrpcTimeout.TryParse(http.Request.Headers["grpc-timeout"], out var timeout) && timeout <= MaxTimer)
        {
            // Longer timeouts (up to 8 digits of hours) are no deadline in practice, and beyond what a timer takes.
            deadline = DateTimeOffset.UtcNow + timeout;
            call.CancelAfter(timeout);
        }

        var context = new GrpcServerCallContext(http, path, deadline, call.Token);
        var status = GrpcStatusCode.OK;
        var detail = "";
        IReadOnlyDictionary<string, string>? extraTrailers = null;
        try
        {
            await method.Serve(new ServerCall(http, options, context)).ConfigureAwait(false);
        }
        catch (GrpcStatusException failed)
        {
            (status, detail, extraTrailers) = (failed.Status, failed.Detail, failed.Trailers);
        }
        catch (OperationCanceledException) when (call.IsCancellationRequested)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                return; // the client reset the stream or went away: nobody to answer
            }

            (status, detail) = (GrpcStatusCode.DeadlineExceeded, $"The deadline of {path} passed on the server.");
        }
        catch (Exception ex) when (ex is IOException && http.RequestAborted.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // Any handler failure becomes a status: the client must always get an answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            (status, detail) = (GrpcStatusCode.Unknown, $"{ex.GetType().Name}: {ex.Message}");
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        WriteStatus(http, context, status, detail, extraTrailers);
    }

    private static void WriteStatus(
        HttpContext http, GrpcServerCallContext context, GrpcStatusCode status, string detail, IReadOnlyDictionary<string, string>? extraTrailers)
    {
        // Nothing sent yet: a "trailers-only" response, the status in the headers (one HEADERS frame ending the stream).
        var trailersOnly = !http.Response.HasStarted;
        if (!trailersOnly && !http.Response.SupportsTrailers())
        {
            return;
        }

        void Add(string name, string value)
        {
            if (trailersOnly)
            {
                http.Response.Headers.Append(name, value);
            }
            else
            {
                http.Response.AppendTrailer(name, value);
            }
        }

        Add("grpc-status", ((int)status).ToString(CultureInfo.InvariantCulture));
        if (detail.Length > 0)
        {
            Add("grpc-message", GrpcMessageText.Encode(detail));
        }

        foreach (var (name, value) in context.Trailers)
        {
            Add(name, value);
        }

        foreach (var (name, value) in extraTrailers ?? EmptyTrailers)
        {
            Add(name, value);
        }
    }
}
