using System.Diagnostics;

namespace Woodpecker.TestingHost;

/// <summary>
/// A .NET program run as a real child process (dotnet PROGRAM.dll ARGS), with its stdout captured line by line.
/// Disposing kills it (SIGKILL) if it still runs. Used for kill -9 and SIGSTOP tests.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly System.Text.StringBuilder _errors = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The process.</summary>
    public Process Process => _process;

    /// <summary>Every stdout line so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>What the process wrote to stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>True once the process exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="assemblyPath"/> with <paramref name="arguments"/>.</summary>
    public static ChildProcess Start(string assemblyPath, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Starting {assemblyPath} failed.");
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (child._errors)
            {
                child._errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The path baked into <paramref name="testAssembly"/> as AssemblyMetadata <paramref name="key"/>.</summary>
    public static string FindProgram(System.Reflection.Assembly testAssembly, string key)
    {
        var path = testAssembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value;
        return !string.IsNullOrEmpty(path) && File.Exists(path)
            ? path
            : throw new FileNotFoundException($"The child program '{key}' was not found at '{path}'; build the test project (it builds the child).", path);
    }

    /// <summary>Waits until a stdout line matches; returns it. Fails with the process's output when it exits first or time runs out.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (match(_lines[seen]))
                    {
                        return _lines[seen];
                    }
                }

                changed = _changed.Task;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting for {what}. stdout tail: {string.Join(" | ", Lines.TakeLast(5))}; stderr: {Errors}");
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync().ConfigureAwait(false);
                lock (_lines)
                {
                    if (seen < _lines.Count)
                    {
                        continue;
                    }
                }

                throw new InvalidOperationException($"The child exited (code {_process.ExitCode}) before {what}. stdout tail: {string.Join(" | ", Lines.TakeLast(5))}; stderr: {Errors}");
            }

            await Task.WhenAny(changed, Task.Delay(remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100))).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The child did not exit within {timeout.TotalSeconds:0} s. stderr: {Errors}");
        }

        return _process.ExitCode;
    }

    /// <summary>kill -9, then waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            ProcessSignals.Kill(_process);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>SIGSTOP.</summary>
    public void Pause() => ProcessSignals.Pause(_process);

    /// <summary>SIGCONT.</summary>
    public void Resume() => ProcessSignals.Resume(_process);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessSignals.Resume(_process);
            await KillAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_lines)
        {
            _lines.Add(line);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
