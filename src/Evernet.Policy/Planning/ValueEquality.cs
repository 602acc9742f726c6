using System.Collections.Immutable;

namespace Evernet.Policy;

/// <summary>Element-wise equality for ImmutableArray fields of the dataplane records; a default array equals an empty one.</summary>
internal static class ValueEquality
{
    public static bool Same<T>(ImmutableArray<T> a, ImmutableArray<T> b)
    {
        var x = a.IsDefault ? [] : a;
        var y = b.IsDefault ? [] : b;
        if (x.Length != y.Length) return false;
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < x.Length; i++)
            if (!comparer.Equals(x[i], y[i])) return false;
        return true;
    }

    public static int Hash<T>(ImmutableArray<T> a)
    {
        var hash = new HashCode();
        if (a.IsDefault) return hash.ToHashCode();
        foreach (var item in a) hash.Add(item);
        return hash.ToHashCode();
    }
}
