using System.Diagnostics;

namespace Woodpecker.TestingHost;

/// <summary>
/// A real server process for tests, with its own temporary directory: what every server fixture offers (kill -9
/// keeping its data, restart on the same ports and data, freeze and unfreeze, stop for good). A subclass says only
/// how to start its server and how to tell that it is ready.
/// </summary>
public abstract class TestServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    /// <summary>Creates the server's directory; <paramref name="name"/> names the server in errors.</summary>
    protected TestServer(string name, string directoryPrefix)
    {
        _process = new ServerProcess(name);
        Directory = new TestDirectory(directoryPrefix);
    }

    /// <summary>The running process (null while stopped).</summary>
    public Process? Process => _process.Process;

    /// <summary>The server's temporary directory, deleted on dispose.</summary>
    protected TestDirectory Directory { get; }

    /// <summary>kill -9 the server (its data stays for a restart).</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts the server again on the same ports and data.</summary>
    public Task RestartAsync() => StartServerAsync();

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing answers.</summary>
    public void Pause() => _process.Pause();

    /// <summary>Unfreezes the server (SIGCONT).</summary>
    public void Resume() => _process.Resume();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync().ConfigureAwait(false);
        Directory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the server process and waits until it is ready (first start and restarts).</summary>
    protected abstract Task StartServerAsync();

    /// <summary>Starts <paramref name="start"/> and polls <paramref name="ready"/> until it says yes, within <paramref name="timeout"/>.</summary>
    protected Task StartProcessAsync(ProcessStartInfo start, Func<Task<bool>> ready, TimeSpan timeout, string where) =>
        _process.StartAsync(start, ready, timeout, where);
}
