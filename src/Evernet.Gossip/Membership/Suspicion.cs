namespace Evernet.Gossip.Membership;

/// <summary>
/// Lifeguard suspicion: the timeout starts at <c>max</c> and shrinks towards <c>min</c> logarithmically with each
/// independent confirmation, up to <c>expected</c> confirmations. A member that is merely slow gets time to refute; one
/// that many members independently cannot reach is declared dead quickly.
/// </summary>
public sealed class Suspicion
{
    private readonly HashSet<ulong> _accusers = new();
    private readonly long _startTicks;
    private readonly long _minTicks;
    private readonly long _maxTicks;
    private readonly int _expected;

    public Suspicion(uint incarnation, ulong firstAccuser, long startTicks, TimeSpan min, TimeSpan max, int expectedConfirmations)
    {
        Incarnation = incarnation;
        _startTicks = startTicks;
        _minTicks = min.Ticks;
        _maxTicks = Math.Max(max.Ticks, min.Ticks);
        _expected = Math.Max(1, expectedConfirmations);
        _accusers.Add(firstAccuser);
    }

    public uint Incarnation { get; }

    /// <summary>The holder's own last direct check of the suspect, at the deadline, is under way.</summary>
    public bool Verifying { get; set; }

    private long _postponedUntil;

    /// <summary>The suspect answered the last check: no verdict before <paramref name="ticks"/>.</summary>
    public void Postpone(long ticks) => _postponedUntil = Math.Max(_postponedUntil, ticks);

    /// <summary>Independent confirmations beyond the first accuser.</summary>
    public int Confirmations => _accusers.Count - 1;

    /// <summary>True if this accuser is new; the deadline may then have moved earlier.</summary>
    public bool Confirm(ulong accuser) => _accusers.Count <= _expected + 1 && _accusers.Add(accuser);

    public long DeadlineTicks
    {
        get
        {
            double fraction = Math.Log(Confirmations + 1) / Math.Log(_expected + 1);
            long timeout = (long)(_maxTicks - (_maxTicks - _minTicks) * Math.Min(1.0, fraction));
            return Math.Max(_postponedUntil, _startTicks + Math.Max(_minTicks, timeout));
        }
    }

    public static TimeSpan MinTimeout(double multiplier, int members, TimeSpan probeInterval) =>
        probeInterval * (multiplier * Math.Max(1.0, Math.Log10(Math.Max(1, members))));
}
