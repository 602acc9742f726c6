namespace Evernet.Gossip.Wire;

/// <summary>Why a datagram was rejected before it reached the protocol. Counted per reason, never thrown.</summary>
public enum DecodeError : byte
{
    None = 0,
    TooLarge,
    Truncated,
    BadMagic,
    UnsupportedVersion,
    UnknownMessageType,
    UnknownItemKind,
    BadFieldType,
    LengthOutOfBounds,
    CountOutOfBounds,
    InvalidValue,
    TrailingBytes,
}
