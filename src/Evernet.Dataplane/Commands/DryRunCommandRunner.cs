using System.Collections.Immutable;

namespace Evernet.Dataplane.Commands;

/// <summary>
/// Runs nothing: records every command and prints the changing ones, so an operator (<c>--dry-run</c>) or a test sees
/// exactly what would be done. Every read answers "nothing installed" (empty output), every change and probe succeeds.
/// </summary>
public sealed class DryRunCommandRunner(TextWriter? output = null, string? networkNamespace = null) : ICommandRunner
{
    private readonly Lock _gate = new();
    private ImmutableList<Command> _recorded = [];

    public string? NetworkNamespace { get; } = networkNamespace;

    /// <summary>Every command asked for, in order, reads included.</summary>
    public ImmutableList<Command> Recorded
    {
        get
        {
            lock (_gate)
            {
                return _recorded;
            }
        }
    }

    /// <summary>The commands that would change the system, in order.</summary>
    public ImmutableArray<Command> Mutations => [.. Recorded.Where(static c => c.Kind == CommandKind.Mutate)];

    public bool CanRun(string program) => true;

    public Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _recorded = _recorded.Add(command);
            if (command.Kind == CommandKind.Mutate)
            {
                output?.WriteLine(command.ToDisplayString(NetworkNamespace));
            }
        }

        return Task.FromResult(CommandResult.EmptySuccess);
    }
}
