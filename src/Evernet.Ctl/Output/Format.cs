using System.Globalization;

namespace Evernet.Ctl.Output;

/// <summary>Compact, fixed-culture renderings for tables: every one fits a narrow column.</summary>
internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    public const string None = "-";

    /// <summary>"0.8s", "12s", "4m05s", "3h12m", "2d04h" (at most 7 characters below 1000 days).</summary>
    public static string Age(double? seconds)
    {
        if (seconds is not { } s || !double.IsFinite(s)) return None;
        if (s < 0) s = 0; // clock skew between signer and us: "just now"
        if (s < 10) return s.ToString("0.0", Invariant) + "s";
        long whole = (long)s;
        if (whole < 60) return $"{whole}s";
        if (whole < 3600) return $"{whole / 60}m{whole % 60:00}s";
        if (whole < 86400) return $"{whole / 3600}h{whole % 3600 / 60:00}m";
        return $"{whole / 86400}d{whole % 86400 / 3600:00}h";
    }

    public static string Percent(double? percent)
    {
        if (percent is not { } p || !double.IsFinite(p)) return None;
        if (p == 0) return "0%";
        return p < 10 ? p.ToString("0.0", Invariant) + "%" : Math.Round(p).ToString("0", Invariant) + "%";
    }

    public static string Milliseconds(double? ms)
    {
        if (ms is not { } m || !double.IsFinite(m)) return None;
        if (m < 10) return m.ToString("0.0", Invariant) + "ms";
        if (m < 10_000) return Math.Round(m).ToString("0", Invariant) + "ms";
        return (m / 1000).ToString("0", Invariant) + "s";
    }

    /// <summary>Bits per second with an SI suffix: "512k", "40M", "1.5G".</summary>
    public static string Rate(ulong? bitsPerSecond)
    {
        if (bitsPerSecond is not { } b) return None;
        (double value, string unit) = b switch
        {
            >= 1_000_000_000 => (b / 1e9, "G"),
            >= 1_000_000 => (b / 1e6, "M"),
            >= 1_000 => (b / 1e3, "k"),
            _ => (b, ""),
        };
        return (value < 10 && unit.Length > 0 ? value.ToString("0.#", Invariant) : Math.Round(value).ToString("0", Invariant)) + unit;
    }

    public static string UnixSeconds(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, -62135596800L, 253402300799L)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    public static string Number(double value) => value.ToString("0.###", Invariant);

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, marking the cut with '~'.</summary>
    public static string Fit(string text, int width)
    {
        if (width <= 0) return "";
        return text.Length <= width ? text : text[..(width - 1)] + "~";
    }
}
