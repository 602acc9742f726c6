using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Evernet.Daemon.Configuration;

/// <summary>
/// Loads <see cref="EvernetdOptions"/>: the JSON file (comments and trailing commas allowed), then EVERNET_* environment
/// variables ("__" separates sections: EVERNET_GOSSIP__PORT=7000), then command-line overrides, later sources winning.
/// This is a configuration of its own, not the host's: the host's default sources (all environment variables,
/// appsettings.json) would otherwise trip the unknown-key check. Binding is done by the source-generated binder (AOT-safe).
/// </summary>
public static class EvernetdConfiguration
{
    public const string DefaultConfigPath = "/etc/evernet/evernetd.json";
    public const string EnvironmentPrefix = "EVERNET_";

    /// <summary>The layered sources. Throws <see cref="ConfigurationLoadException"/> for an unreadable or malformed file.</summary>
    /// <param name="environment">Environment variables; null: the process environment.</param>
    public static IConfigurationRoot Build(DaemonCommandLine commandLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.GetFullPath(commandLine.ConfigPath);
        if (!File.Exists(path)) throw new ConfigurationLoadException($"{path}: configuration file not found");
        var builder = new ConfigurationBuilder()
            .AddJsonFile(path, optional: false, reloadOnChange: false)
            .AddInMemoryCollection(EnvironmentOverrides(environment ?? ProcessEnvironment()))
            .AddCommandLine(commandLine.ConfigurationArguments.ToArray());
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The JSON reader's own message (innermost) carries the line and position.
            var innermost = e;
            while (innermost.InnerException is { } inner) innermost = inner;
            var detail = innermost is System.Text.Json.JsonException ? $"not valid JSON: {innermost.Message}" : innermost.Message;
            throw new ConfigurationLoadException($"{path}: {detail}", e);
        }
    }

    /// <summary>
    /// Binds with unknown keys and mistyped values rejected (a typo must not silently fall back to a default).
    /// Throws <see cref="ConfigurationLoadException"/> listing every such key.
    /// </summary>
    public static EvernetdOptions Bind(IConfiguration configuration)
    {
        var problems = ConfigurationSchema.Check(configuration);
        if (problems.Count > 0) throw new ConfigurationLoadException(string.Join(Environment.NewLine, problems), problems);
        var options = new EvernetdOptions();
        try
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationLoadException(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, e);
        }
        options.NormalizeOptionalValues();
        return options;
    }

    /// <summary>Build, bind and validate. Never throws for bad input: problems come back as messages.</summary>
    public static ConfigurationLoadResult Load(DaemonCommandLine commandLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.GetFullPath(commandLine.ConfigPath);
        if (commandLine.Errors.Count > 0) return new ConfigurationLoadResult(path, null, commandLine.Errors);
        IConfigurationRoot configuration;
        try
        {
            configuration = Build(commandLine, environment);
        }
        catch (ConfigurationLoadException e)
        {
            return new ConfigurationLoadResult(path, null, e.Problems);
        }
        try
        {
            var options = Bind(configuration);
            var errors = EvernetdOptionsValidator.Validate(options);
            return new ConfigurationLoadResult(path, errors.Count == 0 ? options : null, errors);
        }
        catch (ConfigurationLoadException e)
        {
            // Unknown keys alone still let the rest be checked, so one run lists everything that is wrong.
            return new ConfigurationLoadResult(path, null, [.. e.Problems, .. ValidateIgnoringUnknownKeys(configuration)]);
        }
    }

    private static IReadOnlyList<string> ValidateIgnoringUnknownKeys(IConfiguration configuration)
    {
        var options = new EvernetdOptions();
        try
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException)
        {
            return []; // mistyped values: already reported by the schema check
        }
        options.NormalizeOptionalValues();
        return EvernetdOptionsValidator.Validate(options);
    }

    /// <summary>EVERNET_GOSSIP__PORT=7000 → "GOSSIP:PORT" = "7000" (what AddEnvironmentVariables(prefix) does, over a given set).</summary>
    internal static IEnumerable<KeyValuePair<string, string?>> EnvironmentOverrides(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == EnvironmentPrefix.Length) continue;
            yield return new(name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), value);
        }
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            if (entry.Key is string key && entry.Value is string value) result[key] = value;
        return result;
    }
}

/// <summary><see cref="Options"/> is null when anything is wrong; <see cref="Errors"/> then says what, naming the keys.</summary>
public sealed record ConfigurationLoadResult(string ConfigPath, EvernetdOptions? Options, IReadOnlyList<string> Errors)
{
    public bool IsValid => Options is not null && Errors.Count == 0;
}

public sealed class ConfigurationLoadException : Exception
{
    public ConfigurationLoadException(string message) : base(message) => Problems = [message];
    public ConfigurationLoadException(string message, Exception inner) : base(message, inner) => Problems = [message];
    public ConfigurationLoadException(string message, IReadOnlyList<string> problems) : base(message) => Problems = problems;

    /// <summary>One entry per problem ("key: why").</summary>
    public IReadOnlyList<string> Problems { get; }
}
