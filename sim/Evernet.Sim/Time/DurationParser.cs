using System.Globalization;

namespace Evernet.Sim.Time;

/// <summary>Parses "500ms", "30s", "10m", "1h", "1h30m" or a plain number of seconds.</summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var plainSeconds))
        {
            if (plainSeconds < 0 || double.IsNaN(plainSeconds) || double.IsInfinity(plainSeconds)) return false;
            duration = TimeSpan.FromSeconds(plainSeconds);
            return true;
        }
        long totalTicks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return false;
            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s.AsSpan(unitStart, i - unitStart);
            double unitTicks = unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" or "min" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1,
            };
            if (unitTicks < 0) return false;
            totalTicks += (long)Math.Round(value * unitTicks);
        }
        duration = TimeSpan.FromTicks(totalTicks);
        return true;
    }

    public static string Format(TimeSpan d) =>
        d.TotalHours >= 1 && d.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)d.TotalHours}h"
        : d.TotalMinutes >= 1 && d.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)d.TotalMinutes}m"
        : d.Ticks % TimeSpan.TicksPerSecond == 0 ? $"{(long)d.TotalSeconds}s"
        : $"{d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms";
}
