using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ConflictLedger;

/// <summary>How the domain writes JSON: camelCase fields, kebab-case enum values, no nulls.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// How the read model writes its documents: as <see cref="Options"/>, but without the
    /// properties derived from others (a getter that no constructor parameter sets, such as an
    /// account's ACLED type or a claim's end). Reading with <see cref="Options"/> never sets
    /// those (they are computed again), so nothing is lost; they were about a tenth of an
    /// occurrence document, and a rebuild writes every document once more.
    /// </summary>
    public static readonly JsonSerializerOptions Stored = CreateStored();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
        };
        options.Converters.Add(EnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// <see cref="Stored"/> without the named properties of <typeparamref name="T"/>: those its
    /// row holds in columns of its own, which the row's reader puts back.
    /// </summary>
    public static JsonSerializerOptions StoredWithout<T>(params string[] properties) => CreateStored(type =>
    {
        if (type.Type != typeof(T)) return;
        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i].AttributeProvider is System.Reflection.MemberInfo { Name: var name } && properties.Contains(name))
                type.Properties.RemoveAt(i);
        }
    });

    private static JsonSerializerOptions CreateStored(Action<JsonTypeInfo>? also = null)
    {
        var resolver = new DefaultJsonTypeInfoResolver { Modifiers = { WithoutDerivedProperties } };
        if (also is not null) resolver.Modifiers.Add(also);
        var options = new JsonSerializerOptions(Options) { TypeInfoResolver = resolver };
        options.MakeReadOnly();
        return options;
    }

    private static void WithoutDerivedProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i] is { Set: null, AssociatedParameter: null }) type.Properties.RemoveAt(i);
        }
    }

    /// <summary>Enum values as kebab-case names, never numbers.</summary>
    public static JsonConverter EnumConverter() => new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A read model document (<see cref="Stored"/>).</summary>
    public static string SerializeStored<T>(T value) => JsonSerializer.Serialize(value, Stored);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<T>(utf8Json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    /// <summary>The kebab-case name an enum value has in JSON.</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => Names<TEnum>.Of.GetOrAdd(value, KebabName);

    /// <summary>The enum value whose JSON name is <paramref name="name"/> (<see cref="Name{TEnum}"/>).</summary>
    public static TEnum FromName<TEnum>(string name) where TEnum : struct, Enum =>
        Values<TEnum>.ByName.TryGetValue(name, out var value) ? value : throw new JsonException($"No {typeof(TEnum).Name} is named '{name}'.");

    private static class Values<TEnum> where TEnum : struct, Enum
    {
        public static readonly Dictionary<string, TEnum> ByName = Enum.GetValues<TEnum>().ToDictionary(Name, StringComparer.Ordinal);
    }

    private static string KebabName<TEnum>(TEnum value) where TEnum : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Each value's name, made once: evidence texts and summaries name kinds and statuses by the million in a rebuild.</summary>
    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly System.Collections.Concurrent.ConcurrentDictionary<TEnum, string> Of = new();
    }
}
