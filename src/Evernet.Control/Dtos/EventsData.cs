namespace Evernet.Control.Dtos;

/// <summary>Arguments of "events": at most <see cref="Limit"/> newest events, only those after <see cref="SinceUnixMs"/> when given.</summary>
public sealed record EventsArgs(int? Limit = null, long? SinceUnixMs = null);

/// <summary>Answer to "events", oldest first.</summary>
public sealed record EventsData(IReadOnlyList<EventEntry> Events);

/// <summary>
/// Something that happened. <see cref="Kind"/>: "member-state", "gateway-usability", "gateway-summary", "revocation", "rejected",
/// or a daemon kind ("failover", "dataplane", "certificate", "drain", ...). <see cref="Subject"/> names what it is about
/// (member or gateway name, or the rejection reason); <see cref="Detail"/> is free text for people.
/// </summary>
public sealed record EventEntry(long AtUnixMs, string At, string Kind, string Subject, string Detail);
