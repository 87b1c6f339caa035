using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Woodpecker.Silo.Cluster;

namespace Woodpecker.SiloHost;

/// <summary>
/// Runs the silo inside the generic host: starts it with the host, stops it gracefully with the host (SIGTERM,
/// Ctrl+C), and stops the host with exit code 3 when the silo loses its lease and stops serving by itself.
/// </summary>
internal sealed class SiloService(ClusterSiloOptions options, ILoggerFactory loggerFactory, ILogger<SiloService> logger, IHostApplicationLifetime lifetime) : IHostedService
{
    private ClusterSilo? _silo;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _silo = await ClusterSilo.StartAsync(options, loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
        _ = _silo.Faulted.ContinueWith(
            faulted =>
            {
                var reason = faulted.Result;
                SiloHostLog.Stopping(logger, reason);
                Environment.ExitCode = 3;
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_silo is not null)
        {
            await _silo.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Source-generated log messages of the silo host (event ids 1400–1499).</summary>
internal static partial class SiloHostLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Critical, Message = "Stopping the process: {Reason}")]
    public static partial void Stopping(ILogger logger, string reason);
}
