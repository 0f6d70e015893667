using System.Security.Cryptography;

namespace VaCdsHooks.Coverage;

/// <summary>Where coverage-assertion ids, satisfied-PA ids and card uuids come from (tests inject a deterministic one).</summary>
public interface IAssertionIdSource
{
    /// <summary>A unique, opaque coverage-assertion-id.</summary>
    string NewAssertionId();

    /// <summary>A unique prior-authorization number the payer honours later (satisfied-pa-id).</summary>
    string NewSatisfiedPaId();

    /// <summary>A UUID for a card.</summary>
    string NewCardUuid();
}

/// <summary>Random ids: 128-bit version-4 UUIDs (assertion ids in "N" format, PA numbers prefixed, card uuids in "D" format). Thread-safe.</summary>
public sealed class RandomAssertionIdSource : IAssertionIdSource
{
    // Each hook call takes three or more ids; asking the operating system for 16 bytes each time was a system call
    // per id. Cryptographic random bytes are drawn a batch at a time per thread instead, and never handed out twice.
    private const int UuidsPerBatch = 32;

    [ThreadStatic]
    private static byte[]? _batch;

    [ThreadStatic]
    private static int _next;

    public string NewAssertionId() => NewUuid().ToString("N");

    public string NewSatisfiedPaId() => "VA" + NewUuid().ToString("N").ToUpperInvariant();

    public string NewCardUuid() => NewUuid().ToString("D");

    /// <summary>A random (version 4, RFC 9562) UUID.</summary>
    internal static Guid NewUuid()
    {
        var batch = _batch ??= new byte[UuidsPerBatch * 16];
        if (_next == 0)
        {
            RandomNumberGenerator.Fill(batch);
        }

        Span<byte> bytes = stackalloc byte[16];
        var drawn = batch.AsSpan(_next * 16, 16);
        drawn.CopyTo(bytes);
        drawn.Clear();
        _next = (_next + 1) % UuidsPerBatch;

        // Big-endian layout: version 4 in the high nibble of byte 6, variant 10xx in byte 8.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
