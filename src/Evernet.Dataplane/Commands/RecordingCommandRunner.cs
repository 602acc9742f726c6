using System.Collections.Immutable;

namespace Evernet.Dataplane.Commands;

/// <summary>Passes commands to another runner and keeps what ran and how it ended (for diagnostics and tests).</summary>
public sealed class RecordingCommandRunner(ICommandRunner inner) : ICommandRunner
{
    private readonly Lock _gate = new();
    private ImmutableList<RecordedCommand> _recorded = [];

    public string? NetworkNamespace => inner.NetworkNamespace;

    public ImmutableList<RecordedCommand> Recorded
    {
        get
        {
            lock (_gate)
            {
                return _recorded;
            }
        }
    }

    public bool CanRun(string program) => inner.CanRun(program);

    public void Clear()
    {
        lock (_gate)
        {
            _recorded = [];
        }
    }

    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        CommandResult? result = null;
        try
        {
            result = await inner.RunAsync(command, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            lock (_gate)
            {
                _recorded = _recorded.Add(new RecordedCommand(command, result));
            }
        }
    }
}

/// <summary>A command and its result (null when it threw).</summary>
public sealed record RecordedCommand(Command Command, CommandResult? Result);
