using System.Text.Json;

namespace ConflictLedger;

/// <summary>
/// Text PostgreSQL can store: jsonb and text refuse U+0000 (SQLSTATE 22P05 / 22021), and an
/// unpaired UTF-16 surrogate has no UTF-8 form at all. Everything else is kept as written
/// (an ACLED note must come back out byte for byte).
/// </summary>
public static class StorableText
{
    /// <summary>Why the text cannot be stored, or null when it can.</summary>
    public static string? Problem(string? text)
    {
        if (text is null) return null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return $"the text holds a NUL character (U+0000) at index {i}, which cannot be stored: remove it";
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return $"the text holds an unpaired surrogate (U+{(int)c:X4}) at index {i}, which is not Unicode text: fix the encoding";
        }
        return null;
    }

    /// <summary>Every string (and property name) PostgreSQL could not store, with its JSON path.</summary>
    public static IEnumerable<(string Path, string Problem)> InJson(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when Problem(element.GetString()) is { } problem:
                yield return (path, problem);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Problem(property.Name) is { } nameProblem) yield return (path, "a property name: " + nameProblem);
                    foreach (var found in InJson(property.Value, $"{path}.{property.Name}")) yield return found;
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    foreach (var found in InJson(item, $"{path}[{i++}]")) yield return found;
                break;
        }
    }
}
