using System.Diagnostics;
using System.Text;

namespace Woodpecker.TestingHost;

/// <summary>
/// The life of one test server's process (etcd, s3rver): start it and wait until it answers, kill -9 it (its data
/// stays for a restart), freeze and unfreeze it. One place for what every server fixture needs, so that each fixture
/// only says how its server is started and how to tell that it is ready.
/// </summary>
internal sealed class ServerProcess
{
    private readonly string _name;
    private Process? _process;

    public ServerProcess(string name) => _name = name;

    /// <summary>The running process (null while stopped).</summary>
    public Process? Process => _process;

    /// <summary>
    /// Starts <paramref name="start"/> and polls <paramref name="ready"/> every 50 ms until it says yes; throws with
    /// the server's stderr if the process exits first or is not ready within <paramref name="timeout"/>.
    /// </summary>
    public async Task StartAsync(ProcessStartInfo start, Func<Task<bool>> ready, TimeSpan timeout, string where)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{_name} is running already.");
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Starting {_name} failed.");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with code {process.ExitCode} while starting: {Text(errors)}");
            }

            try
            {
                if (await ready().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException($"{_name} did not become ready within {timeout.TotalSeconds:0} s at {where}: {Text(errors)}");
    }

    /// <summary>kill -9 (the data stays for a restart).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            ProcessSignals.Kill(process);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing answers.</summary>
    public void Pause() => ProcessSignals.Pause(_process ?? throw new InvalidOperationException($"{_name} is not running."));

    /// <summary>Unfreezes the server (SIGCONT).</summary>
    public void Resume() => ProcessSignals.Resume(_process ?? throw new InvalidOperationException($"{_name} is not running."));

    /// <summary>Stops the server for good, even a frozen one (a stopped process cannot act on SIGKILL until continued).</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            ProcessSignals.Resume(process);
        }

        await KillAsync().ConfigureAwait(false);
    }

    private static string Text(StringBuilder errors)
    {
        lock (errors)
        {
            return errors.ToString();
        }
    }
}
