namespace Evernet.Policy;

/// <summary>
/// Collects "Key: why" messages for option validation. Explicit checks instead of DataAnnotations: no reflection, AOT-safe.
/// Nested options report with a "Parent:Child" key, the same path the configuration file uses.
/// </summary>
public sealed class OptionErrors
{
    private readonly List<string> _errors = [];
    private readonly string _prefix;

    public OptionErrors(string prefix = "") => _prefix = prefix;

    public IReadOnlyList<string> Errors => _errors;

    public void Check(bool ok, string key, string why)
    {
        if (!ok) Add(key, why);
    }

    public void Add(string key, string why) => _errors.Add($"{_prefix}{key}: {why}");

    /// <summary>Adds a nested option set's errors under <paramref name="key"/>.</summary>
    public void AddNested(string key, IEnumerable<string> nestedErrors)
    {
        foreach (var error in nestedErrors) _errors.Add($"{_prefix}{key}:{error}");
    }

    public static void ThrowIfAny(string what, IReadOnlyList<string> errors)
    {
        if (errors.Count > 0) throw new ArgumentException($"invalid {what}: " + string.Join("; ", errors));
    }
}
