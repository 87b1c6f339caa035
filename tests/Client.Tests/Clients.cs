using System.Text;
using Woodpecker.Grains;
using Woodpecker.Runtime;
using Woodpecker.Silo.Embedded;

namespace Woodpecker.Client.Tests;

internal static class Clients
{
    public static EmbeddedSiloOptions Options(string directory, Action<EmbeddedSiloOptions>? configure = null)
    {
        var options = new EmbeddedSiloOptions
        {
            DataDirectory = directory,
            Log = new LogServiceOptions(),
            Runtime = new ActorRuntimeOptions(),
        };
        configure?.Invoke(options);
        return options;
    }

    public static Task<WoodpeckerClient> Start(string directory, Action<EmbeddedSiloOptions>? configure = null) =>
        WoodpeckerClient.CreateEmbeddedAsync(Options(directory, configure));

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(LogMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public static async Task<List<LogMessage>> ReadAll(LogHandle log, ReadStart? start = null)
    {
        await using var reader = await log.OpenReaderAsync(start ?? ReadStart.Earliest, new LogReaderOptions { Follow = false });
        var messages = new List<LogMessage>();
        await foreach (var message in reader.ReadAllAsync())
        {
            messages.Add(message);
        }

        return messages;
    }

    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
