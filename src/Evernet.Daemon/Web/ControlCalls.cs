using Evernet.Control.Protocol;
using Evernet.Control.Server;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

/// <summary>The outcome of one control call: a value, or an error code (a <see cref="ControlErrorCodes"/> value) and a sentence.</summary>
public sealed record CallResult<T>(T? Value, string? ErrorCode, string? Error) where T : class
{
    public bool Succeeded => Value is not null;
}

/// <summary>
/// Calls the daemon's <see cref="IControlHandler"/> (the same one evernetctl talks to) with a time limit, turning every failure
/// into an error the page can show. Only unexpected exceptions are logged: refusals are answers.
/// </summary>
public sealed class ControlCalls(IControlHandler handler, TimeSpan timeout, ILogger logger)
{
    public IControlHandler Handler => handler;

    public async Task<CallResult<T>> CallAsync<T>(string name, Func<IControlHandler, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var value = await call(handler, limit.Token).ConfigureAwait(false);
            return new CallResult<T>(value, null, null);
        }
        catch (ControlCommandException ex)
        {
            return new CallResult<T>(null, ex.Code, $"{name}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CallResult<T>(null, ControlErrorCodes.Timeout, $"{name}: the daemon did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            WebAdminLog.CallFailed(logger, name, ex);
            return new CallResult<T>(null, ControlErrorCodes.InternalError, $"{name}: internal error in the daemon ({ex.GetType().Name})");
        }
    }
}
