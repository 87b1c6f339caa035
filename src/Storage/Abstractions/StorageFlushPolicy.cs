namespace Woodpecker.Storage.Abstractions;

/// <summary>
/// How a segment should batch appends into blocks for a backend. The segment grain applies it: a block is sealed
/// when it reaches <see cref="MaxBlockBytes"/>, or when a flush slot is free and either <see cref="MaxFlushDelay"/>
/// has passed since its first entry or the delay is zero.
/// </summary>
/// <param name="MaxBlockBytes">Largest block the segment builds.</param>
/// <param name="MaxFlushDelay">How long a buffered entry may wait for more entries to share its flush.</param>
/// <param name="MaxConcurrentFlushes">Blocks that may be in flight to the backend at once.</param>
public sealed record StorageFlushPolicy(int MaxBlockBytes, TimeSpan MaxFlushDelay, int MaxConcurrentFlushes);
