using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Wire;

using GossipMessage = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip.Tests;

/// <summary>
/// Structural equality for messages and items. The records' compiler-generated equality compares ImmutableArray and
/// ReadOnlyMemory fields by reference, so it cannot tell whether a decode reproduced what was encoded.
/// Returns the path of the first difference, or null when equal.
/// </summary>
internal static class WireEquality
{
    public static string? Difference(Message a, Message b)
    {
        if (a.GetType() != b.GetType()) return $"type {a.GetType().Name} != {b.GetType().Name}";
        if (a.Sender != b.Sender) return "Sender";
        switch (a, b)
        {
            case (Ping x, Ping y):
                if (x.Seq != y.Seq || x.Target != y.Target || x.KnownSummaryVersion != y.KnownSummaryVersion) return "Ping fields";
                return Items(x.Piggyback, y.Piggyback);
            case (PingReq x, PingReq y):
                if (x.Seq != y.Seq || x.Target != y.Target || x.TargetAddress != y.TargetAddress) return "PingReq fields";
                return Items(x.Piggyback, y.Piggyback);
            case (Ack x, Ack y):
                if (x.Seq != y.Seq || x.Responder != y.Responder) return "Ack fields";
                return Items(x.Piggyback, y.Piggyback);
            case (Nack x, Nack y):
                return x.Seq != y.Seq ? "Nack.Seq" : null;
            case (GossipMessage x, GossipMessage y):
                return x.Urgent != y.Urgent ? "Gossip.Urgent" : Items(x.Items, y.Items);
            case (PushPullDigest x, PushPullDigest y):
                if (x.ExchangeId != y.ExchangeId || x.IsReply != y.IsReply || x.ChunkIndex != y.ChunkIndex || x.ChunkCount != y.ChunkCount
                    || x.RangeStart != y.RangeStart || x.RangeEnd != y.RangeEnd) return "Digest fields";
                return Normalize(x.Entries).SequenceEqual(Normalize(y.Entries)) ? null : "Digest.Entries";
            case (PushPullRecords x, PushPullRecords y):
                return x.ExchangeId != y.ExchangeId ? "Records.ExchangeId" : Items(x.Items, y.Items);
            case (PushPullSummary x, PushPullSummary y):
                if (x.ExchangeId != y.ExchangeId) return "Summary.ExchangeId";
                return Normalize(x.Ranges).SequenceEqual(Normalize(y.Ranges)) ? null : "Summary.Ranges";
            default:
                return "unknown message type";
        }
    }

    private static ImmutableArray<T> Normalize<T>(ImmutableArray<T> array) => array.IsDefault ? [] : array;

    private static string? Items(ImmutableArray<IGossipItem> a, ImmutableArray<IGossipItem> b)
    {
        a = Normalize(a);
        b = Normalize(b);
        if (a.Length != b.Length) return $"item count {a.Length} != {b.Length}";
        for (int i = 0; i < a.Length; i++)
        {
            var d = Difference(a[i], b[i]);
            if (d is not null) return $"item[{i}].{d}";
        }
        return null;
    }

    private static bool Same(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => a.Span.SequenceEqual(b.Span);

    private static bool Same(ImmutableArray<string> a, ImmutableArray<string> b) => Normalize(a).SequenceEqual(Normalize(b), StringComparer.Ordinal);

    public static string? Difference(MembershipCertificate a, MembershipCertificate b)
    {
        if (a.Node != b.Node) return "Node";
        if (!Same(a.WireGuardPublicKey, b.WireGuardPublicKey)) return "WireGuardPublicKey";
        if (a.Name != b.Name) return "Name";
        if (a.Roles != b.Roles) return "Roles";
        if (a.Serial != b.Serial) return "Serial";
        if (a.NotBeforeUnixSeconds != b.NotBeforeUnixSeconds) return "NotBefore";
        if (a.NotAfterUnixSeconds != b.NotAfterUnixSeconds) return "NotAfter";
        if (a.Authority != b.Authority) return "Authority";
        return Same(a.Signature, b.Signature) ? null : "Signature";
    }

    public static string? Difference(IGossipItem a, IGossipItem b)
    {
        if (a.GetType() != b.GetType()) return $"kind {a.Kind} != {b.Kind}";
        switch (a, b)
        {
            case (NodeRecord x, NodeRecord y):
                if (x.Origin != y.Origin || x.Version != y.Version || x.TimestampUnixMs != y.TimestampUnixMs
                    || x.Incarnation != y.Incarnation || x.Left != y.Left) return "NodeRecord fields";
                if (!Same(x.Addresses, y.Addresses)) return "Addresses";
                if (!Same(x.ClientPrefixes, y.ClientPrefixes)) return "ClientPrefixes";
                var c = Difference(x.Certificate, y.Certificate);
                if (c is not null) return "Certificate." + c;
                return Same(x.Signature, y.Signature) ? null : "Signature";
            case (GatewaySummary x, GatewaySummary y):
                if (x.Origin != y.Origin || x.Version != y.Version || x.TimestampUnixMs != y.TimestampUnixMs || x.Uplink != y.Uplink
                    || x.CapacityDownBps != y.CapacityDownBps || x.CapacityUpBps != y.CapacityUpBps || x.LoadDownBps != y.LoadDownBps
                    || x.LoadUpBps != y.LoadUpBps || x.ActiveFlows != y.ActiveFlows || x.AttachedClients != y.AttachedClients
                    || x.Draining != y.Draining) return "GatewaySummary fields";
                if (!Normalize(x.Targets).SequenceEqual(Normalize(y.Targets))) return "Targets"; // ProbeTargetStats has value equality
                return Same(x.Signature, y.Signature) ? null : "Signature";
            case (Accusation x, Accusation y):
                if (x.Target != y.Target || x.Incarnation != y.Incarnation || x.Verdict != y.Verdict || x.Accuser != y.Accuser
                    || x.TimestampUnixMs != y.TimestampUnixMs) return "Accusation fields";
                return Same(x.Signature, y.Signature) ? null : "Signature";
            case (Revocation x, Revocation y):
                if (x.Node != y.Node || x.Serial != y.Serial || x.RevokedAtUnixSeconds != y.RevokedAtUnixSeconds || x.Reason != y.Reason
                    || x.Authority != y.Authority) return "Revocation fields";
                return Same(x.Signature, y.Signature) ? null : "Signature";
            default:
                return "unknown item type";
        }
    }
}
