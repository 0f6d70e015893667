using System.Text.Json.Serialization;

namespace VaCdsHooks.Storage.Persistence;

/// <summary>Source-generated serializers for the JSON array columns (no reflection on the hot path).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
