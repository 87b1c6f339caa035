using Woodpecker.Errors;
using Woodpecker.Runtime;

namespace Woodpecker.Grains.Service;

/// <summary>Turns runtime and transport failures into the typed errors users see.</summary>
public static class ErrorTranslation
{
    /// <summary>The typed error for <paramref name="error"/>; WoodpeckerExceptions pass through unchanged.</summary>
    public static WoodpeckerException ToWoodpecker(Exception error) => error switch
    {
        WoodpeckerException typed => typed,
        GrainActivationException { InnerException: WoodpeckerException inner } => inner,
        GrainActivationException activation => new ServiceUnavailableException($"The service could not load {activation.Grain}: {activation.InnerException?.Message}", activation),
        GrainCallTimeoutException timeout => new WoodpeckerTimeoutException(timeout.Message, timeout),
        GrainOverloadedException overloaded => new OverloadedException(overloaded.Message, overloaded),
        ObjectDisposedException disposed => new HandleClosedException($"The log service has stopped: {disposed.Message}", disposed),
        OperationCanceledException => throw error,
        AggregateException { InnerExceptions.Count: 1 } aggregate => ToWoodpecker(aggregate.InnerExceptions[0]),
        _ => new WoodpeckerException(WoodpeckerErrorCode.Internal, $"Unexpected error: {error.Message}", error),
    };
}
