using Xunit;

namespace Woodpecker.Client.Tests;

/// <summary>Tests that measure memory or latency run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "serial (measures memory or time)";
}
