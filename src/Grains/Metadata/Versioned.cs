namespace Woodpecker.Grains.Metadata;

/// <summary>A metadata record with the mod revision it was read at, for compare-and-swap updates.</summary>
internal sealed record Versioned<T>(T Record, long ModRevision);
