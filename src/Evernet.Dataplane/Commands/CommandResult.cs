namespace Evernet.Dataplane.Commands;

/// <summary>What a finished program left behind.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The empty success a dry run answers with: reads see "nothing installed".</summary>
    public static CommandResult EmptySuccess { get; } = new(0, string.Empty, string.Empty, TimeSpan.Zero);
}
