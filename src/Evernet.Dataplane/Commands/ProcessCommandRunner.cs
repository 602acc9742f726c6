using System.ComponentModel;
using System.Diagnostics;

namespace Evernet.Dataplane.Commands;

/// <summary>
/// Runs commands as real child processes with an argument list, capturing stdout, stderr and exit code under a timeout.
/// With a network namespace the command becomes <c>ip netns exec NS /abs/program args...</c>.
/// </summary>
public sealed class ProcessCommandRunner : ICommandRunner
{
    private readonly ExecutableLocator _locator;
    private readonly TimeSpan _timeout;

    /// <param name="networkNamespace">Named namespace (<c>ip netns</c>) to run in, or null for our own.</param>
    /// <param name="timeout">Per-command limit; a hung program is killed (default 15 s).</param>
    /// <param name="searchPath">PATH used to find programs, passed on to children; null takes the process environment's.</param>
    public ProcessCommandRunner(string? networkNamespace = null, TimeSpan? timeout = null, string? searchPath = null)
    {
        NetworkNamespace = networkNamespace;
        _timeout = timeout ?? TimeSpan.FromSeconds(15);
        _locator = searchPath is null ? ExecutableLocator.FromEnvironment() : new ExecutableLocator(searchPath);
    }

    public string? NetworkNamespace { get; }

    public bool CanRun(string program) =>
        _locator.Locate(program) is not null && (NetworkNamespace is null || _locator.Locate(DataplaneBinaries.Ip) is not null);

    public async Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken)
    {
        var programPath = _locator.Locate(command.Program) ?? throw new MissingBinaryException(command.Program);
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = command.StandardInput is not null,
            WorkingDirectory = "/",
        };

        if (NetworkNamespace is null)
        {
            startInfo.FileName = programPath;
        }
        else
        {
            startInfo.FileName = _locator.Locate(DataplaneBinaries.Ip) ?? throw new MissingBinaryException(DataplaneBinaries.Ip);
            startInfo.ArgumentList.Add("netns");
            startInfo.ArgumentList.Add("exec");
            startInfo.ArgumentList.Add(NetworkNamespace);
            startInfo.ArgumentList.Add(programPath);
        }

        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["PATH"] = _locator.SearchPath;
        startInfo.Environment["LC_ALL"] = "C";
        foreach (var name in command.UnsetEnvironment)
        {
            startInfo.Environment.Remove(name);
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new CommandFailedException(command, new CommandResult(-1, string.Empty, exception.Message, stopwatch.Elapsed));
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(_timeout);
        try
        {
            var standardOutput = process.StandardOutput.ReadToEndAsync(timeoutSource.Token);
            var standardError = process.StandardError.ReadToEndAsync(timeoutSource.Token);
            if (command.StandardInput is not null)
            {
                await process.StandardInput.WriteAsync(command.StandardInput.AsMemory(), timeoutSource.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            return new CommandResult(
                process.ExitCode,
                await standardOutput.ConfigureAwait(false),
                await standardError.ConfigureAwait(false),
                stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new CommandTimeoutException(command, _timeout);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        catch (IOException exception)
        {
            // The program exited before reading all of its standard input.
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new CommandFailedException(command, new CommandResult(process.ExitCode, string.Empty, exception.Message, stopwatch.Elapsed));
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
