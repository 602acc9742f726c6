namespace Evernet.Gossip.Runtime;

/// <summary>An opaque transport address ("192.0.2.1:7946", "[fd00::1]:7946", or "sim:17" in the simulator).</summary>
public readonly record struct PeerAddress(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A datagram the host must send. The payload is owned by the host once polled.</summary>
public readonly record struct Transmit(PeerAddress Destination, byte[] Payload);
