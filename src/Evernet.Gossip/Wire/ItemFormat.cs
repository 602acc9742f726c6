using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;

namespace Evernet.Gossip.Wire;

/// <summary>
/// Field layout of every signed type, shared by the wire codec and the signing code so the two can never disagree.
/// Each type is one MessagePack array. On the wire it is <c>[kind, fields…, signature]</c> (a certificate, which is
/// never an item of its own, is <c>[fields…, signature]</c>); the bytes that get signed are
/// <c>[domain tag, fields…]</c>. Field order is the record's declaration order; see docs/protocol.md.
/// </summary>
internal static class ItemFormat
{
    public const int CertificateFieldCount = 8;
    public const int NodeRecordFieldCount = 8;
    public const int GatewaySummaryFieldCount = 12;
    public const int AccusationFieldCount = 5;
    public const int RevocationFieldCount = 5;
    public const int ProbeTargetFieldCount = 4;
    public const ushort MaxLossPermille = 1000;

    public static ReadOnlySpan<byte> CertificateDomain => "evernet/cert/v1"u8;
    public static ReadOnlySpan<byte> RevocationDomain => "evernet/revocation/v1"u8;
    public static ReadOnlySpan<byte> NodeRecordDomain => "evernet/node-record/v1"u8;
    public static ReadOnlySpan<byte> GatewaySummaryDomain => "evernet/gateway-summary/v1"u8;
    public static ReadOnlySpan<byte> AccusationDomain => "evernet/accusation/v1"u8;

    private static int Count<T>(ImmutableArray<T> array) => array.IsDefault ? 0 : array.Length;

    // ---- sizes -------------------------------------------------------------------------------------------------

    /// <summary>Wire form (with signature) or canonical signed form (with domain tag) of a certificate.</summary>
    public static int MeasureCertificate(MembershipCertificate c, bool canonical) =>
        MsgPackSize.ArrayHeader(CertificateFieldCount + 1)
        + (canonical ? MsgPackSize.StringHeader(CertificateDomain.Length) + CertificateDomain.Length : MsgPackSize.Binary(c.Signature.Length))
        + MsgPackSize.NodeId
        + MsgPackSize.Binary(c.WireGuardPublicKey.Length)
        + MsgPackSize.String(c.Name)
        + MsgPackSize.UInt((byte)c.Roles)
        + MsgPackSize.UInt(c.Serial)
        + MsgPackSize.Int(c.NotBeforeUnixSeconds)
        + MsgPackSize.Int(c.NotAfterUnixSeconds)
        + MsgPackSize.NodeId;

    /// <summary>Wire item (<c>[kind, fields…, signature]</c>) or canonical signed form (<c>[tag, fields…]</c>).</summary>
    public static int Measure(IGossipItem item, bool canonical) => item switch
    {
        NodeRecord r => MeasureNodeRecord(r, canonical),
        GatewaySummary s => MeasureGatewaySummary(s, canonical),
        Accusation a => MeasureAccusation(a, canonical),
        Revocation v => MeasureRevocation(v, canonical),
        _ => throw new ArgumentException($"unknown gossip item type {item?.GetType().Name ?? "null"}", nameof(item)),
    };

    private static int Frame(int fieldCount, bool canonical, ReadOnlySpan<byte> domain, GossipItemKind kind, ReadOnlyMemory<byte> signature) =>
        canonical
            ? MsgPackSize.ArrayHeader(fieldCount + 1) + MsgPackSize.StringHeader(domain.Length) + domain.Length
            : MsgPackSize.ArrayHeader(fieldCount + 2) + MsgPackSize.UInt((byte)kind) + MsgPackSize.Binary(signature.Length);

    public static int MeasureNodeRecord(NodeRecord r, bool canonical)
    {
        int size = Frame(NodeRecordFieldCount, canonical, NodeRecordDomain, GossipItemKind.NodeRecord, r.Signature)
            + MsgPackSize.NodeId
            + MsgPackSize.UInt(r.Version)
            + MsgPackSize.Int(r.TimestampUnixMs)
            + MsgPackSize.UInt(r.Incarnation)
            + MsgPackSize.Bool
            + MsgPackSize.ArrayHeader(Count(r.Addresses))
            + MsgPackSize.ArrayHeader(Count(r.ClientPrefixes))
            + MeasureCertificate(r.Certificate, canonical: false);
        if (!r.Addresses.IsDefault)
            foreach (var a in r.Addresses) size += MsgPackSize.String(a);
        if (!r.ClientPrefixes.IsDefault)
            foreach (var p in r.ClientPrefixes) size += MsgPackSize.String(p);
        return size;
    }

    public static int MeasureProbeTarget(ProbeTargetStats t) =>
        MsgPackSize.ArrayHeader(ProbeTargetFieldCount)
        + MsgPackSize.String(t.Target)
        + MsgPackSize.UInt(t.LossPermille)
        + MsgPackSize.UInt(t.RttMicros)
        + MsgPackSize.UInt(t.JitterMicros);

    public static int MeasureGatewaySummary(GatewaySummary s, bool canonical)
    {
        int size = Frame(GatewaySummaryFieldCount, canonical, GatewaySummaryDomain, GossipItemKind.GatewaySummary, s.Signature)
            + MsgPackSize.NodeId
            + MsgPackSize.UInt(s.Version)
            + MsgPackSize.Int(s.TimestampUnixMs)
            + MsgPackSize.UInt((byte)s.Uplink)
            + MsgPackSize.ArrayHeader(Count(s.Targets))
            + MsgPackSize.UInt(s.CapacityDownBps)
            + MsgPackSize.UInt(s.CapacityUpBps)
            + MsgPackSize.UInt(s.LoadDownBps)
            + MsgPackSize.UInt(s.LoadUpBps)
            + MsgPackSize.UInt(s.ActiveFlows)
            + MsgPackSize.UInt(s.AttachedClients)
            + MsgPackSize.Bool;
        if (!s.Targets.IsDefault)
            foreach (var t in s.Targets) size += MeasureProbeTarget(t);
        return size;
    }

    public static int MeasureAccusation(Accusation a, bool canonical) =>
        Frame(AccusationFieldCount, canonical, AccusationDomain, GossipItemKind.Accusation, a.Signature)
        + MsgPackSize.NodeId
        + MsgPackSize.UInt(a.Incarnation)
        + MsgPackSize.UInt((byte)a.Verdict)
        + MsgPackSize.NodeId
        + MsgPackSize.Int(a.TimestampUnixMs);

    public static int MeasureRevocation(Revocation v, bool canonical) =>
        Frame(RevocationFieldCount, canonical, RevocationDomain, GossipItemKind.Revocation, v.Signature)
        + MsgPackSize.NodeId
        + MsgPackSize.UInt(v.Serial)
        + MsgPackSize.Int(v.RevokedAtUnixSeconds)
        + MsgPackSize.String(v.Reason)
        + MsgPackSize.NodeId;

    // ---- writing -----------------------------------------------------------------------------------------------

    public static void WriteCertificate(ref MsgPackWriter w, MembershipCertificate c, bool canonical)
    {
        w.WriteArrayHeader(CertificateFieldCount + 1);
        if (canonical) w.WriteStringUtf8(CertificateDomain);
        w.WriteNodeId(c.Node);
        w.WriteBinary(c.WireGuardPublicKey.Span);
        w.WriteString(c.Name);
        w.WriteUInt((byte)c.Roles);
        w.WriteUInt(c.Serial);
        w.WriteInt(c.NotBeforeUnixSeconds);
        w.WriteInt(c.NotAfterUnixSeconds);
        w.WriteNodeId(c.Authority);
        if (!canonical) w.WriteBinary(c.Signature.Span);
    }

    public static void Write(ref MsgPackWriter w, IGossipItem item, bool canonical)
    {
        switch (item)
        {
            case NodeRecord r: WriteNodeRecord(ref w, r, canonical); break;
            case GatewaySummary s: WriteGatewaySummary(ref w, s, canonical); break;
            case Accusation a: WriteAccusation(ref w, a, canonical); break;
            case Revocation v: WriteRevocation(ref w, v, canonical); break;
            default: throw new ArgumentException($"unknown gossip item type {item?.GetType().Name ?? "null"}", nameof(item));
        }
    }

    private static void WriteHead(ref MsgPackWriter w, int fieldCount, bool canonical, ReadOnlySpan<byte> domain, GossipItemKind kind)
    {
        if (canonical)
        {
            w.WriteArrayHeader(fieldCount + 1);
            w.WriteStringUtf8(domain);
        }
        else
        {
            w.WriteArrayHeader(fieldCount + 2);
            w.WriteUInt((byte)kind);
        }
    }

    private static void WriteStrings(ref MsgPackWriter w, ImmutableArray<string> strings)
    {
        w.WriteArrayHeader(Count(strings));
        if (strings.IsDefault) return;
        foreach (var s in strings) w.WriteString(s);
    }

    public static void WriteNodeRecord(ref MsgPackWriter w, NodeRecord r, bool canonical)
    {
        WriteHead(ref w, NodeRecordFieldCount, canonical, NodeRecordDomain, GossipItemKind.NodeRecord);
        w.WriteNodeId(r.Origin);
        w.WriteUInt(r.Version);
        w.WriteInt(r.TimestampUnixMs);
        w.WriteUInt(r.Incarnation);
        w.WriteBool(r.Left);
        WriteStrings(ref w, r.Addresses);
        WriteStrings(ref w, r.ClientPrefixes);
        // The certificate is covered with its own signature: a record vouches for exactly the certificate it carries.
        WriteCertificate(ref w, r.Certificate, canonical: false);
        if (!canonical) w.WriteBinary(r.Signature.Span);
    }

    public static void WriteGatewaySummary(ref MsgPackWriter w, GatewaySummary s, bool canonical)
    {
        WriteHead(ref w, GatewaySummaryFieldCount, canonical, GatewaySummaryDomain, GossipItemKind.GatewaySummary);
        w.WriteNodeId(s.Origin);
        w.WriteUInt(s.Version);
        w.WriteInt(s.TimestampUnixMs);
        w.WriteUInt((byte)s.Uplink);
        w.WriteArrayHeader(Count(s.Targets));
        if (!s.Targets.IsDefault)
        {
            foreach (var t in s.Targets)
            {
                w.WriteArrayHeader(ProbeTargetFieldCount);
                w.WriteString(t.Target);
                w.WriteUInt(t.LossPermille);
                w.WriteUInt(t.RttMicros);
                w.WriteUInt(t.JitterMicros);
            }
        }
        w.WriteUInt(s.CapacityDownBps);
        w.WriteUInt(s.CapacityUpBps);
        w.WriteUInt(s.LoadDownBps);
        w.WriteUInt(s.LoadUpBps);
        w.WriteUInt(s.ActiveFlows);
        w.WriteUInt(s.AttachedClients);
        w.WriteBool(s.Draining);
        if (!canonical) w.WriteBinary(s.Signature.Span);
    }

    public static void WriteAccusation(ref MsgPackWriter w, Accusation a, bool canonical)
    {
        WriteHead(ref w, AccusationFieldCount, canonical, AccusationDomain, GossipItemKind.Accusation);
        w.WriteNodeId(a.Target);
        w.WriteUInt(a.Incarnation);
        w.WriteUInt((byte)a.Verdict);
        w.WriteNodeId(a.Accuser);
        w.WriteInt(a.TimestampUnixMs);
        if (!canonical) w.WriteBinary(a.Signature.Span);
    }

    public static void WriteRevocation(ref MsgPackWriter w, Revocation v, bool canonical)
    {
        WriteHead(ref w, RevocationFieldCount, canonical, RevocationDomain, GossipItemKind.Revocation);
        w.WriteNodeId(v.Node);
        w.WriteUInt(v.Serial);
        w.WriteInt(v.RevokedAtUnixSeconds);
        w.WriteString(v.Reason);
        w.WriteNodeId(v.Authority);
        if (!canonical) w.WriteBinary(v.Signature.Span);
    }

    // ---- validation (what the decoder would refuse, checked before encoding) -----------------------------------

    private static DecodeError CheckString(string? value, int maxBytes) =>
        value is null ? DecodeError.InvalidValue
        : MsgPackSize.Utf8Length(value) > maxBytes ? DecodeError.LengthOutOfBounds
        : DecodeError.None;

    private static DecodeError CheckStrings(ImmutableArray<string> values, int maxCount, int maxBytes)
    {
        if (Count(values) > maxCount) return DecodeError.CountOutOfBounds;
        if (values.IsDefault) return DecodeError.None;
        foreach (var v in values)
        {
            var e = CheckString(v, maxBytes);
            if (e != DecodeError.None) return e;
        }
        return DecodeError.None;
    }

    private static DecodeError CheckSignature(ReadOnlyMemory<byte> signature) =>
        signature.Length == WireLimits.SignatureSize ? DecodeError.None : DecodeError.LengthOutOfBounds;

    public static bool RolesInRange(NodeRoles roles) => (roles & ~(NodeRoles.Node | NodeRoles.Gateway)) == 0;

    public static DecodeError ValidateCertificate(MembershipCertificate? c)
    {
        if (c is null) return DecodeError.InvalidValue;
        if (c.WireGuardPublicKey.Length != WireLimits.WireGuardKeySize) return DecodeError.LengthOutOfBounds;
        var e = CheckString(c.Name, WireLimits.MaxStringBytes);
        if (e != DecodeError.None) return e;
        if (!RolesInRange(c.Roles)) return DecodeError.InvalidValue;
        return CheckSignature(c.Signature);
    }

    /// <summary>
    /// The error <see cref="ReadItem"/> would report for the encoding of <paramref name="item"/>, or None. Checks run in
    /// stream order so that the first violation named is the one the decoder meets first.
    /// </summary>
    public static DecodeError Validate(IGossipItem? item)
    {
        DecodeError e;
        switch (item)
        {
            case NodeRecord r:
                if ((e = CheckStrings(r.Addresses, WireLimits.MaxAddresses, WireLimits.MaxAddressBytes)) != DecodeError.None) return e;
                if ((e = CheckStrings(r.ClientPrefixes, WireLimits.MaxClientPrefixes, WireLimits.MaxStringBytes)) != DecodeError.None) return e;
                if ((e = ValidateCertificate(r.Certificate)) != DecodeError.None) return e;
                return CheckSignature(r.Signature);
            case GatewaySummary s:
                if (s.Uplink > UplinkState.Down) return DecodeError.InvalidValue;
                if (Count(s.Targets) > WireLimits.MaxProbeTargets) return DecodeError.CountOutOfBounds;
                if (!s.Targets.IsDefault)
                {
                    foreach (var t in s.Targets)
                    {
                        if (t is null) return DecodeError.InvalidValue;
                        if ((e = CheckString(t.Target, WireLimits.MaxStringBytes)) != DecodeError.None) return e;
                        if (t.LossPermille > MaxLossPermille) return DecodeError.InvalidValue;
                    }
                }
                return CheckSignature(s.Signature);
            case Accusation a:
                if (a.Verdict is not (Verdict.Suspect or Verdict.Dead)) return DecodeError.InvalidValue;
                return CheckSignature(a.Signature);
            case Revocation v:
                if ((e = CheckString(v.Reason, WireLimits.MaxStringBytes)) != DecodeError.None) return e;
                return CheckSignature(v.Signature);
            default:
                return DecodeError.UnknownItemKind;
        }
    }

    /// <summary>True when the item (and anything it embeds) has no null where the signing code needs a value.</summary>
    public static bool IsComplete(IGossipItem? item)
    {
        switch (item)
        {
            case NodeRecord r:
                return r.Certificate is not null;
            case GatewaySummary s:
                if (s.Targets.IsDefault) return true;
                foreach (var t in s.Targets)
                    if (t is null) return false;
                return true;
            case Accusation or Revocation:
                return true;
            default:
                return false;
        }
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    public static DecodeError ReadItem(ref MsgPackReader r, out IGossipItem? item)
    {
        item = null;
        DecodeError e;
        if ((e = r.ReadArrayHeader(int.MaxValue, out int arity)) != DecodeError.None) return e;
        if (arity < 1) return DecodeError.CountOutOfBounds;
        if ((e = r.ReadUInt(byte.MaxValue, out ulong kindValue)) != DecodeError.None) return e == DecodeError.InvalidValue ? DecodeError.UnknownItemKind : e;
        var kind = (GossipItemKind)kindValue;
        int expected = kind switch
        {
            GossipItemKind.NodeRecord => NodeRecordFieldCount,
            GossipItemKind.GatewaySummary => GatewaySummaryFieldCount,
            GossipItemKind.Accusation => AccusationFieldCount,
            GossipItemKind.Revocation => RevocationFieldCount,
            _ => -1,
        };
        if (expected < 0) return DecodeError.UnknownItemKind;
        if (arity != expected + 2) return DecodeError.CountOutOfBounds;
        switch (kind)
        {
            case GossipItemKind.NodeRecord:
                e = ReadNodeRecordBody(ref r, out var record);
                item = record;
                return e;
            case GossipItemKind.GatewaySummary:
                e = ReadGatewaySummaryBody(ref r, out var summary);
                item = summary;
                return e;
            case GossipItemKind.Accusation:
                e = ReadAccusationBody(ref r, out var accusation);
                item = accusation;
                return e;
            default:
                e = ReadRevocationBody(ref r, out var revocation);
                item = revocation;
                return e;
        }
    }

    public static DecodeError ReadCertificate(ref MsgPackReader r, out MembershipCertificate? certificate)
    {
        certificate = null;
        DecodeError e;
        if ((e = r.ReadFixedArray(CertificateFieldCount + 1)) != DecodeError.None) return e;
        if ((e = r.ReadNodeId(out var node)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.WireGuardKeySize, out var wgKey)) != DecodeError.None) return e;
        if ((e = r.ReadString(WireLimits.MaxStringBytes, out var name)) != DecodeError.None) return e;
        if ((e = r.ReadByte(byte.MaxValue, out byte roles)) != DecodeError.None) return e;
        if (!RolesInRange((NodeRoles)roles)) return DecodeError.InvalidValue;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong serial)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long notBefore)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long notAfter)) != DecodeError.None) return e;
        if ((e = r.ReadNodeId(out var authority)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.SignatureSize, out var signature)) != DecodeError.None) return e;
        certificate = new MembershipCertificate(node, wgKey, name, (NodeRoles)roles, serial, notBefore, notAfter, authority, signature);
        return DecodeError.None;
    }

    private static DecodeError ReadStrings(ref MsgPackReader r, int maxCount, int maxBytes, out ImmutableArray<string> values)
    {
        values = ImmutableArray<string>.Empty;
        DecodeError e;
        if ((e = r.ReadArrayHeader(maxCount, out int count)) != DecodeError.None) return e;
        if (count == 0) return DecodeError.None;
        var array = new string[count];
        for (int i = 0; i < count; i++)
        {
            if ((e = r.ReadString(maxBytes, out array[i])) != DecodeError.None) return e;
        }
        values = ImmutableCollectionsMarshal.AsImmutableArray(array);
        return DecodeError.None;
    }

    private static DecodeError ReadNodeRecordBody(ref MsgPackReader r, out NodeRecord? record)
    {
        record = null;
        DecodeError e;
        if ((e = r.ReadNodeId(out var origin)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong version)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long timestamp)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint incarnation)) != DecodeError.None) return e;
        if ((e = r.ReadBool(out bool left)) != DecodeError.None) return e;
        if ((e = ReadStrings(ref r, WireLimits.MaxAddresses, WireLimits.MaxAddressBytes, out var addresses)) != DecodeError.None) return e;
        if ((e = ReadStrings(ref r, WireLimits.MaxClientPrefixes, WireLimits.MaxStringBytes, out var prefixes)) != DecodeError.None) return e;
        if ((e = ReadCertificate(ref r, out var certificate)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.SignatureSize, out var signature)) != DecodeError.None) return e;
        record = new NodeRecord(origin, version, timestamp, incarnation, left, addresses, prefixes, certificate!, signature);
        return DecodeError.None;
    }

    private static DecodeError ReadGatewaySummaryBody(ref MsgPackReader r, out GatewaySummary? summary)
    {
        summary = null;
        DecodeError e;
        if ((e = r.ReadNodeId(out var origin)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong version)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long timestamp)) != DecodeError.None) return e;
        if ((e = r.ReadByte((byte)UplinkState.Down, out byte uplink)) != DecodeError.None) return e;
        if ((e = r.ReadArrayHeader(WireLimits.MaxProbeTargets, out int targetCount)) != DecodeError.None) return e;
        var targets = ImmutableArray<ProbeTargetStats>.Empty;
        if (targetCount > 0)
        {
            var array = new ProbeTargetStats[targetCount];
            for (int i = 0; i < targetCount; i++)
            {
                if ((e = r.ReadFixedArray(ProbeTargetFieldCount)) != DecodeError.None) return e;
                if ((e = r.ReadString(WireLimits.MaxStringBytes, out var target)) != DecodeError.None) return e;
                if ((e = r.ReadUInt(MaxLossPermille, out ulong loss)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out uint rtt)) != DecodeError.None) return e;
                if ((e = r.ReadUInt32(out uint jitter)) != DecodeError.None) return e;
                array[i] = new ProbeTargetStats(target, (ushort)loss, rtt, jitter);
            }
            targets = ImmutableCollectionsMarshal.AsImmutableArray(array);
        }
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong capacityDown)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong capacityUp)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong loadDown)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong loadUp)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint flows)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint clients)) != DecodeError.None) return e;
        if ((e = r.ReadBool(out bool draining)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.SignatureSize, out var signature)) != DecodeError.None) return e;
        summary = new GatewaySummary(origin, version, timestamp, (UplinkState)uplink, targets, capacityDown, capacityUp, loadDown, loadUp, flows, clients, draining, signature);
        return DecodeError.None;
    }

    private static DecodeError ReadAccusationBody(ref MsgPackReader r, out Accusation? accusation)
    {
        accusation = null;
        DecodeError e;
        if ((e = r.ReadNodeId(out var target)) != DecodeError.None) return e;
        if ((e = r.ReadUInt32(out uint incarnation)) != DecodeError.None) return e;
        if ((e = r.ReadByte((byte)Verdict.Dead, out byte verdict)) != DecodeError.None) return e;
        if (verdict < (byte)Verdict.Suspect) return DecodeError.InvalidValue;
        if ((e = r.ReadNodeId(out var accuser)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long timestamp)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.SignatureSize, out var signature)) != DecodeError.None) return e;
        accusation = new Accusation(target, incarnation, (Verdict)verdict, accuser, timestamp, signature);
        return DecodeError.None;
    }

    private static DecodeError ReadRevocationBody(ref MsgPackReader r, out Revocation? revocation)
    {
        revocation = null;
        DecodeError e;
        if ((e = r.ReadNodeId(out var node)) != DecodeError.None) return e;
        if ((e = r.ReadUInt(ulong.MaxValue, out ulong serial)) != DecodeError.None) return e;
        if ((e = r.ReadInt(out long revokedAt)) != DecodeError.None) return e;
        if ((e = r.ReadString(WireLimits.MaxStringBytes, out var reason)) != DecodeError.None) return e;
        if ((e = r.ReadNodeId(out var authority)) != DecodeError.None) return e;
        if ((e = r.ReadBinaryCopy(WireLimits.SignatureSize, out var signature)) != DecodeError.None) return e;
        revocation = new Revocation(node, serial, revokedAt, reason, authority, signature);
        return DecodeError.None;
    }
}
