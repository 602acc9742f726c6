using Evernet.Dataplane.Commands;
using Microsoft.Extensions.Logging;

namespace Evernet.Dataplane;

/// <summary>Per-operation wrapper: counts commands and changes (reads may run concurrently), logs every change and every failure.</summary>
internal sealed class CountingCommandRunner(ICommandRunner inner, ILogger logger) : ICommandRunner
{
    private int _commands;
    private int _mutations;

    public int Commands => Volatile.Read(ref _commands);

    public int Mutations => Volatile.Read(ref _mutations);

    public string? NetworkNamespace => inner.NetworkNamespace;

    public bool CanRun(string program) => inner.CanRun(program);

    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _commands);
        if (command.Kind == CommandKind.Mutate)
        {
            Interlocked.Increment(ref _mutations);
            DataplaneLog.Mutating(logger, command.ToDisplayString());
        }

        var result = await inner.RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && command.Kind == CommandKind.Mutate)
        {
            DataplaneLog.CommandFailed(logger, result.ExitCode, command.ToString(), result.StandardError.Trim());
        }

        return result;
    }

    /// <summary>Runs a change and turns failure into <see cref="CommandFailedException"/>.</summary>
    public async Task RunCheckedAsync(Command command, CancellationToken cancellationToken)
    {
        var result = await RunAsync(command, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new CommandFailedException(command, result);
        }
    }
}
