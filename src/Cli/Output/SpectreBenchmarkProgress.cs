using Spectre.Console;
using Woodpecker.Benchmarks;

namespace Woodpecker.Cli.Output;

/// <summary>Shows benchmark progress as Spectre progress bars: one line per phase with its bytes, rate and time.</summary>
internal sealed class SpectreBenchmarkProgress : IProgress<BenchmarkProgress>
{
    private const double Scale = 1000;

    private readonly ProgressContext _context;
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private ProgressTask? _current;

    public SpectreBenchmarkProgress(ProgressContext context) => _context = context;

    public void Report(BenchmarkProgress value)
    {
        lock (_gate)
        {
            if (!_tasks.TryGetValue(value.Phase, out var task))
            {
                _current?.StopTask();
                task = _context.AddTask(Describe(value), maxValue: Scale);
                _tasks[value.Phase] = task;
                _current = task;
            }

            task.Description = Describe(value);
            task.Value = value.Fraction * Scale;
            if (value.Fraction >= 1)
            {
                task.StopTask();
            }
        }
    }

    private static string Describe(BenchmarkProgress value) => Markup.Escape($"{value.Phase}: {value.Detail}");
}
