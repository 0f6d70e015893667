using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace VaCdsHooks.Trust;

/// <summary>
/// Single-instance replay cache. Memory is bounded: each entry is a 128-bit fingerprint of (issuer, jti) rather
/// than the strings, entries leave when their token expires, and at capacity new tokens are refused rather than
/// evicting live entries (eviction would reopen the replay window). Expired entries are removed a few at a time
/// on each insert, so no request pays for a full sweep.
/// </summary>
public sealed class InMemoryJtiReplayCache : IJtiReplayCache
{
    private const int MaxEvictionsPerCall = 256;

    private readonly ConcurrentDictionary<UInt128, long> _expiryByFingerprint = new();
    // Insertion order approximates expiry order because every token lives at most MaxTokenLifetime.
    private readonly ConcurrentQueue<(UInt128 Fingerprint, long ExpiresAtTicks)> _insertionOrder = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private int _count;
    private int _evicting;

    public InMemoryJtiReplayCache(IOptions<EhrTrustOptions> options, TimeProvider time)
    {
        _capacity = options.Value.ReplayCacheCapacity;
        _time = time;
    }

    /// <summary>Entries currently held, expired ones not yet removed included.</summary>
    public int Count => Volatile.Read(ref _count);

    public ValueTask<bool> TryRecordAsync(string issuer, string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(jti);
        var now = _time.GetUtcNow().UtcTicks;
        EvictExpired(now);

        var fingerprint = Fingerprint(issuer, jti);
        var expires = expiresAt.UtcTicks;
        if (_expiryByFingerprint.TryGetValue(fingerprint, out var existing))
        {
            // Seen before: a replay unless that earlier token has expired (then the jti is free again).
            var reclaimed = existing <= now && _expiryByFingerprint.TryUpdate(fingerprint, expires, existing);
            if (reclaimed)
            {
                _insertionOrder.Enqueue((fingerprint, expires));
            }

            return ValueTask.FromResult(reclaimed);
        }

        if (Volatile.Read(ref _count) >= _capacity)
        {
            throw new JtiReplayCacheUnavailableException("The jti replay cache is full.");
        }

        if (!_expiryByFingerprint.TryAdd(fingerprint, expires))
        {
            // Lost a race with the same jti arriving concurrently: exactly one of them is first.
            return ValueTask.FromResult(false);
        }

        Interlocked.Increment(ref _count);
        _insertionOrder.Enqueue((fingerprint, expires));
        return ValueTask.FromResult(true);
    }

    private void EvictExpired(long nowTicks)
    {
        // One evictor at a time keeps peek-then-dequeue consistent; others simply skip.
        if (Interlocked.CompareExchange(ref _evicting, 1, 0) != 0)
        {
            return;
        }

        try
        {
            for (var i = 0; i < MaxEvictionsPerCall && _insertionOrder.TryPeek(out var head) && head.ExpiresAtTicks <= nowTicks; i++)
            {
                _insertionOrder.TryDequeue(out _);
                // Only removes the entry if it still holds this expiry; a reclaimed jti keeps its newer record.
                if (_expiryByFingerprint.TryRemove(KeyValuePair.Create(head.Fingerprint, head.ExpiresAtTicks)))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    private static UInt128 Fingerprint(string issuer, string jti)
    {
        // Length-prefixed so ("ab", "c") and ("a", "bc") differ; SHA-256 so distinct jtis cannot be made to collide.
        var length = 4 + Encoding.UTF8.GetMaxByteCount(issuer.Length) + Encoding.UTF8.GetMaxByteCount(jti.Length);
        byte[]? rented = null;
        var buffer = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var issuerBytes = Encoding.UTF8.GetBytes(issuer, buffer[4..]);
            BinaryPrimitives.WriteInt32LittleEndian(buffer, issuerBytes);
            var jtiBytes = Encoding.UTF8.GetBytes(jti, buffer[(4 + issuerBytes)..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..(4 + issuerBytes + jtiBytes)], hash);
            return BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
