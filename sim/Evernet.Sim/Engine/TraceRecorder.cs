using System.Security.Cryptography;
using Evernet.Gossip.View;

namespace Evernet.Sim.Engine;

/// <summary>
/// Hashes every processed input and every core event (SHA-256 over a compact binary form), and optionally writes a
/// readable line per record. Each node has its own channel (the datagrams and timeouts it processed and the events it
/// emitted, in its order), and one more channel takes the engine's notes (starts, crashes, faults); the run's hash is
/// SHA-256 over all channels' hashes. Two runs with the same seed produce the same hash only if every node saw every
/// datagram byte, every timer and every event identically and at the same virtual time, whatever order different
/// nodes' simultaneous work was interleaved in (so lanes on several threads give the same hash as one).
/// </summary>
public sealed class TraceRecorder : IDisposable
{
    private readonly TraceChannel _notes = new(1 << 12);
    private readonly TraceChannel[] _nodes;
    private readonly TextWriter? _text;
    private string? _final;

    public TraceRecorder(int nodeCount, TextWriter? text = null)
    {
        _nodes = new TraceChannel[nodeCount];
        for (int i = 0; i < nodeCount; i++) _nodes[i] = new TraceChannel(1 << 11);
        _text = text;
    }

    public long Records
    {
        get
        {
            long total = _notes.Records;
            foreach (var c in _nodes) total += c.Records;
            return total;
        }
    }

    public bool WritesText => _text is not null;

    public void Datagram(long time, int from, int to, ReadOnlySpan<byte> payload, bool attacker)
    {
        var channel = _nodes[to];
        channel.Header(1, time, from, to, payload.Length + (attacker ? 1 << 30 : 0));
        channel.Append(payload);
        _text?.WriteLine($"{time} deliver {from}->{to} len={payload.Length}{(attacker ? " attacker" : "")} {Convert.ToHexStringLower(SHA256.HashData(payload), 0, 6)}");
    }

    public void Timeout(long time, int node)
    {
        _nodes[node].Header(2, time, node, 0, 0);
        _text?.WriteLine($"{time} timeout {node}");
    }

    /// <summary>An engine or scenario note; only from the engine's serial phases (never while lanes run).</summary>
    public void Note(long time, int node, string what)
    {
        _notes.Header(3, time, node, 0, 0);
        _notes.AppendString(what);
        _text?.WriteLine($"{time} {node} {what}");
    }

    /// <summary>
    /// A core event. The frequent kinds are hashed field by field (formatting a record to text was a twentieth of a
    /// cold start's time); the rest as their text.
    /// </summary>
    public void CoreEvent(long time, int node, GossipEvent gossipEvent)
    {
        var channel = _nodes[node];
        switch (gossipEvent)
        {
            case MemberStateChanged m:
                channel.Header(5, time, node, (int)m.Current | ((m.Previous is { } p ? (int)p + 1 : 0) << 8), (int)m.Incarnation);
                channel.AppendUInt64(m.Member.ShortId);
                channel.AppendUInt64((ulong)m.AtUnixMs);
                break;
            case GatewayUsabilityChanged g:
                channel.Header(6, time, node, g.Usable ? 1 : 0, (int)g.Reason);
                channel.AppendUInt64(g.Gateway.ShortId);
                channel.AppendUInt64((ulong)g.AtUnixMs);
                break;
            case SummaryAccepted a:
                channel.Header(7, time, node, (int)a.Uplink, 0);
                channel.AppendUInt64(a.Gateway.ShortId);
                channel.AppendUInt64(a.Version);
                channel.AppendUInt64((ulong)a.AtUnixMs);
                channel.AppendUInt64((ulong)a.SignedAtUnixMs);
                break;
            default:
                channel.Header(4, time, node, 0, 0);
                channel.AppendString(gossipEvent.ToString());
                break;
        }
        _text?.WriteLine($"{time} event {node} {gossipEvent}");
    }

    /// <summary>The hex SHA-256 over the notes' and every node's XXH3-128, in node order; recording stops.</summary>
    public string Finish()
    {
        if (_final is not null) return _final;
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        all.AppendData(_notes.Finish());
        foreach (var c in _nodes) all.AppendData(c.Finish());
        _final = Convert.ToHexStringLower(all.GetHashAndReset());
        _text?.Flush();
        return _final;
    }

    public void Dispose() => _text?.Dispose();
}
