using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Woodpecker.Client.Connections;
using Woodpecker.Client.Connections.Cluster;
using Woodpecker.Errors;
using Woodpecker.Silo.Embedded;

namespace Woodpecker.Client;

/// <summary>
/// Entry point of the Woodpecker log service. Create one per process and share it; it is thread-safe.
/// <code>
/// await using var client = await WoodpeckerClient.CreateEmbeddedAsync("./data");
/// var log = await client.CreateLogAsync("orders");
/// await using var writer = await log.OpenWriterAsync();
/// LogPosition at = await writer.AppendAsync("hello"u8.ToArray());
/// await foreach (var message in (await log.OpenReaderAsync(ReadStart.Earliest)).ReadAllAsync()) { ... }
/// </code>
/// </summary>
public sealed class WoodpeckerClient : IAsyncDisposable
{
    private const int ListPageSize = 500;

    private readonly ILogConnection _connection;
    private int _disposed;

    private WoodpeckerClient(ILogConnection connection) => _connection = connection;

    /// <summary>
    /// Starts the service inside this process, keeping everything in <paramref name="dataDirectory"/> (created when
    /// missing). No server is needed. One process at a time may use a directory.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another process uses the directory.</exception>
    public static Task<WoodpeckerClient> CreateEmbeddedAsync(string dataDirectory = "woodpecker-data", CancellationToken cancellationToken = default) =>
        CreateEmbeddedAsync(new EmbeddedSiloOptions { DataDirectory = dataDirectory }, cancellationToken: cancellationToken);

    /// <summary>Starts the service inside this process with detailed options.</summary>
    public static async Task<WoodpeckerClient> CreateEmbeddedAsync(
        EmbeddedSiloOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var silo = await EmbeddedSilo.StartAsync(options, timeProvider, loggerFactory, cancellationToken).ConfigureAwait(false);
        return new WoodpeckerClient(new EmbeddedConnection(silo)) { EmbeddedSilo = silo };
    }

    /// <summary>
    /// Connects to a cluster of silos through the public gRPC API. Calls about a log go straight to the silo that serves
    /// it; calls that are safe to repeat are retried on another silo when one is lost. Membership changes and
    /// transparent reconnects of writers and readers are logged through the optional logger factory.
    /// <code>
    /// await using var client = await WoodpeckerClient.ConnectAsync(new ClusterClientOptions { Gateways = ["http://silo1:7400"] });
    /// </code>
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (the message says which).</exception>
    /// <exception cref="ServiceUnavailableException">No gateway answered.</exception>
    public static async Task<WoodpeckerClient> ConnectAsync(ClusterClientOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WoodpeckerClient(await ClusterConnection.ConnectAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Connects to a cluster through comma-separated gateway URLs ("http://silo1:7400,http://silo2:7400").</summary>
    public static Task<WoodpeckerClient> ConnectAsync(string gateways, CancellationToken cancellationToken = default) =>
        ConnectAsync(
            new ClusterClientOptions { Gateways = gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() },
            cancellationToken: cancellationToken);

    /// <summary>The in-process silo in embedded mode (for diagnostics and tests); null when connected to a cluster.</summary>
    public EmbeddedSilo? EmbeddedSilo { get; private init; }

    /// <summary>Creates a log and returns its handle.</summary>
    /// <exception cref="LogAlreadyExistsException">A log with that name exists.</exception>
    /// <exception cref="InvalidLogNameException">The name breaks the naming rules.</exception>
    public async Task<LogHandle> CreateLogAsync(string name, CancellationToken cancellationToken = default)
    {
        var description = await Connection.CreateLogAsync(name, cancellationToken).ConfigureAwait(false);
        return new LogHandle(this, Connection, description);
    }

    /// <summary>Opens an existing log.</summary>
    /// <exception cref="LogNotFoundException">The log does not exist.</exception>
    public async Task<LogHandle> OpenLogAsync(string name, CancellationToken cancellationToken = default)
    {
        var description = await Connection.GetLogAsync(name, cancellationToken).ConfigureAwait(false);
        return new LogHandle(this, Connection, description);
    }

    /// <summary>True when the log exists.</summary>
    public Task<bool> LogExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Connection.LogExistsAsync(name, cancellationToken);

    /// <summary>Deletes a log and all its data. Its writer is fenced; its readers fail.</summary>
    /// <exception cref="LogNotFoundException">The log does not exist.</exception>
    public Task DeleteLogAsync(string name, CancellationToken cancellationToken = default) =>
        Connection.DeleteLogAsync(name, cancellationToken);

    /// <summary>Every log whose name starts with <paramref name="prefix"/>, in name order (fetched page by page).</summary>
    public async IAsyncEnumerable<LogDescription> ListLogsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        while (true)
        {
            var (logs, more) = await Connection.ListLogsAsync(prefix, after, ListPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var log in logs)
            {
                yield return log;
            }

            if (!more || logs.Count == 0)
            {
                yield break;
            }

            after = logs[^1].Name;
        }
    }

    /// <summary>Stops the client. In embedded mode this completes every active segment and closes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    private ILogConnection Connection =>
        IsDisposed ? throw new HandleClosedException("The Woodpecker client was disposed; create a new one.") : _connection;
}
