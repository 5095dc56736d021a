using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConflictLedger.Importing;

/// <summary>A place where an instance breaks its schema.</summary>
/// <param name="Path">JSON path of the offending value, e.g. "$.occurrences[2].when.earliest".</param>
public sealed record SchemaError(string Path, string Message);

/// <summary>
/// Validates JSON against the draft 2020-12 keywords <c>events/schema.json</c> uses.
/// JsonSchema.Net 8.0.5 was tried in its place (2026-11, issue 11) and measured against
/// this class's tests: its patterns use .NET regex semantics (<c>^\d{4}-\d{2}-\d{2}$</c>
/// accepts "2015-06-04\n"), its list output reports the failing conditions of every
/// <c>if</c> and the items a <c>contains</c> tried as errors, and its messages drop the
/// offending value ("Value should match one of the values specified by the enum"): this
/// class's tests of pattern, enum, const, if/then, contains, not, uniqueItems and false
/// schemas failed with it. Until an adapter filters and rewords those, this validator stays.
/// </summary>
public static class JsonSchemaValidator
{
    // Every keyword understood, grouped by what its value holds so the audit knows where subschemas are.
    // A keyword outside these sets makes Validate throw: a rule the schema states must never be silently skipped.
    private static readonly HashSet<string> SchemaValued = ["not", "if", "then", "else", "items", "contains", "additionalProperties"];
    private static readonly HashSet<string> SchemaListValued = ["allOf", "anyOf", "oneOf"];
    private static readonly HashSet<string> SchemaMapValued = ["properties", "$defs"];
    private static readonly HashSet<string> Plain =
    [
        "$ref", "type", "const", "enum", "required", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "format", "$schema", "$id", "title", "description", "$comment", "examples", "default",
    ];

    // Messages quote data files, which are full of accented names; keep them readable.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="definition">A JSON pointer into the schema naming the subschema to apply ("#/$defs/sourceFile"), or "#" for the root.</param>
    public static IReadOnlyList<SchemaError> Validate(JsonElement schemaRoot, string definition, JsonElement instance)
    {
        // The whole schema is audited, not just the parts this instance reaches, so an unsupported keyword fails every run.
        Audit(schemaRoot, schemaRoot, "#");
        return new Walker(schemaRoot).Check(Resolve(schemaRoot, definition), instance, "$");
    }

    private static void Audit(JsonElement root, JsonElement schema, string at)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False) return;
        if (schema.ValueKind != JsonValueKind.Object) throw new InvalidOperationException($"The schema at {at} must be an object or a boolean.");
        foreach (var keyword in schema.EnumerateObject())
        {
            var here = $"{at}/{keyword.Name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
            if (SchemaValued.Contains(keyword.Name)) Audit(root, keyword.Value, here);
            else if (SchemaListValued.Contains(keyword.Name))
                foreach (var (sub, i) in keyword.Value.EnumerateArray().Select((s, i) => (s, i))) Audit(root, sub, $"{here}/{i}");
            else if (SchemaMapValued.Contains(keyword.Name))
                foreach (var sub in keyword.Value.EnumerateObject()) Audit(root, sub.Value, $"{here}/{sub.Name}");
            else if (keyword.Name == "$ref") Resolve(root, keyword.Value.GetString() ?? ""); // a dangling $ref fails now, not when some file reaches it
            else if (!Plain.Contains(keyword.Name))
                throw new InvalidOperationException(
                    $"Unsupported JSON Schema keyword \"{keyword.Name}\" at {here}; JsonSchemaValidator must learn it before the schema may use it.");
        }
    }

    /// <summary>Follows a local JSON pointer ("#", "#/$defs/x"); other references would need fetching, which seed data never does.</summary>
    private static JsonElement Resolve(JsonElement root, string pointer)
    {
        if (pointer != "#" && !pointer.StartsWith("#/", StringComparison.Ordinal))
            throw new InvalidOperationException($"Only local JSON pointers (\"#/...\") are supported as references, not \"{pointer}\".");
        var node = root;
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            JsonElement? next = node.ValueKind switch
            {
                JsonValueKind.Object when node.TryGetProperty(token, out var child) => child,
                JsonValueKind.Array when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < node.GetArrayLength() => node[i],
                _ => null,
            };
            node = next ?? throw new InvalidOperationException($"The reference \"{pointer}\" does not resolve in the schema.");
        }
        return node;
    }

    private sealed class Walker(JsonElement root)
    {
        private int depth;

        /// <summary>The errors of <paramref name="inst"/> against <paramref name="schema"/>; none means it matches.</summary>
        public List<SchemaError> Check(JsonElement schema, JsonElement inst, string path)
        {
            if (++depth > 500) throw new InvalidOperationException($"The schema recurses too deeply at {path}; is there a $ref cycle?");
            var errors = CheckKeywords(schema, inst, path);
            depth--;
            return errors;
        }

        private List<SchemaError> CheckKeywords(JsonElement schema, JsonElement inst, string path)
        {
            if (schema.ValueKind == JsonValueKind.True) return [];
            if (schema.ValueKind == JsonValueKind.False) return [new(path, "no value is allowed here")];
            var errors = new List<SchemaError>();
            if (Has(schema, "$ref", out var reference)) errors.AddRange(Check(Resolve(root, reference.GetString()!), inst, path));
            // After a type mismatch every other keyword would only restate it.
            if (Has(schema, "type", out var type) && !IsType(type, inst))
                return [.. errors, new(path, $"must be of type {TypeNames(type)}, but is {Show(inst)}")];
            if (Has(schema, "const", out var constant) && !JsonElement.DeepEquals(constant, inst))
                errors.Add(new(path, $"must be {Show(constant)}, but is {Show(inst)}"));
            if (Has(schema, "enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, inst)))
                errors.Add(new(path, $"must be one of {string.Join(", ", allowed.EnumerateArray().Select(Show))}, but is {Show(inst)}"));

            switch (inst.ValueKind)
            {
                case JsonValueKind.String:
                    var text = inst.GetString()!;
                    var length = text.EnumerateRunes().Count(); // the spec counts code points, not UTF-16 units
                    if (Has(schema, "minLength", out var minLength) && length < minLength.GetInt32())
                        errors.Add(new(path, length == 0 ? "must not be empty" : $"must be at least {minLength} characters long, but is {Show(inst)}"));
                    if (Has(schema, "maxLength", out var maxLength) && length > maxLength.GetInt32())
                        errors.Add(new(path, $"must be at most {maxLength} characters long, but has {length}"));
                    if (Has(schema, "pattern", out var pattern) && !Regex.IsMatch(text, Ecma(pattern.GetString()!), RegexOptions.ECMAScript))
                        errors.Add(new(path, $"must match the pattern {pattern.GetString()}, but is {Show(inst)}"));
                    break;
                case JsonValueKind.Number:
                    if (Has(schema, "minimum", out var minimum) && inst.GetDouble() < minimum.GetDouble())
                        errors.Add(new(path, $"must be at least {minimum}, but is {inst}"));
                    if (Has(schema, "maximum", out var maximum) && inst.GetDouble() > maximum.GetDouble())
                        errors.Add(new(path, $"must be at most {maximum}, but is {inst}"));
                    break;
                case JsonValueKind.Array:
                    var items = inst.EnumerateArray().ToList();
                    if (Has(schema, "minItems", out var minItems) && items.Count < minItems.GetInt32())
                        errors.Add(new(path, $"must have at least {minItems} item(s), but has {items.Count}"));
                    if (Has(schema, "maxItems", out var maxItems) && items.Count > maxItems.GetInt32())
                        errors.Add(new(path, $"must have at most {maxItems} item(s), but has {items.Count}"));
                    if (Has(schema, "items", out var itemSchema))
                        for (var i = 0; i < items.Count; i++) errors.AddRange(Check(itemSchema, items[i], $"{path}[{i}]"));
                    if (Has(schema, "uniqueItems", out var unique) && unique.ValueKind == JsonValueKind.True)
                        for (var i = 1; i < items.Count; i++)
                            if (Enumerable.Range(0, i).FirstOrDefault(j => JsonElement.DeepEquals(items[i], items[j]), -1) is var j and >= 0)
                                errors.Add(new($"{path}[{i}]", $"repeats item [{j}] ({Show(items[i])}); items must be unique"));
                    if (Has(schema, "contains", out var wanted) && !items.Any(item => Check(wanted, item, path).Count == 0))
                        errors.Add(new(path, $"must contain an item where {Describe(wanted)}, but none of its {items.Count} item(s) does"));
                    break;
                case JsonValueKind.Object:
                    if (Has(schema, "required", out var required))
                        foreach (var name in required.EnumerateArray().Select(n => n.GetString()!).Where(n => !inst.TryGetProperty(n, out _)))
                            errors.Add(new(Child(path, name), "is required"));
                    var known = Has(schema, "properties", out var properties) ? properties.EnumerateObject().ToList() : [];
                    foreach (var property in known)
                        if (inst.TryGetProperty(property.Name, out var value)) errors.AddRange(Check(property.Value, value, Child(path, property.Name)));
                    if (Has(schema, "additionalProperties", out var additional))
                        foreach (var extra in inst.EnumerateObject().Where(p => !known.Any(k => k.Name == p.Name)))
                            errors.AddRange(additional.ValueKind == JsonValueKind.False
                                ? [new(Child(path, extra.Name), $"unexpected property \"{extra.Name}\"; allowed here: {string.Join(", ", known.Select(k => k.Name))}")]
                                : Check(additional, extra.Value, Child(path, extra.Name)));
                    break;
            }

            if (Has(schema, "allOf", out var allOf))
                foreach (var sub in allOf.EnumerateArray()) errors.AddRange(Check(sub, inst, path));
            if (Has(schema, "anyOf", out var anyOf)) errors.AddRange(Alternatives(anyOf, inst, path, exactlyOne: false));
            if (Has(schema, "oneOf", out var oneOf)) errors.AddRange(Alternatives(oneOf, inst, path, exactlyOne: true));
            if (Has(schema, "not", out var not) && Check(not, inst, path).Count == 0) errors.Add(new(path, $"must not be a value where {Describe(not)}"));
            if (Has(schema, "if", out var condition))
            {
                // The branch's errors keep their own paths; the note says why a rule the data's author may not expect applies.
                var holds = Check(condition, inst, path).Count == 0;
                var why = $" (this applies {(holds ? "when" : "unless")} {Describe(condition)})";
                if (Has(schema, holds ? "then" : "else", out var branch))
                    errors.AddRange(Check(branch, inst, path).Select(e => e with { Message = e.Message + why }));
            }
            return errors;
        }

        /// <summary>
        /// anyOf/oneOf. When nothing matches, listing every alternative's errors buries the one that matters, so if exactly
        /// one alternative fits the value's shape (type, required names, constants) its errors are reported; otherwise one
        /// error names the alternatives that were tried.
        /// </summary>
        private List<SchemaError> Alternatives(JsonElement alternatives, JsonElement inst, string path, bool exactlyOne)
        {
            var options = alternatives.EnumerateArray().ToList();
            var results = options.Select(o => Check(o, inst, path)).ToList();
            var matching = Enumerable.Range(0, options.Count).Where(i => results[i].Count == 0).ToList();
            if (exactlyOne && matching.Count > 1)
                return [new(path, $"matches {string.Join(" and ", matching.Select(i => Summary(options[i])))} at once, but must match exactly one of them")];
            if (matching.Count > 0) return [];
            var fitting = Enumerable.Range(0, options.Count).Where(i => Fits(options[i], inst, shallow: false)).ToList();
            return fitting.Count == 1
                ? results[fitting[0]]
                : [new(path, $"must be one of: {string.Join("; ", options.Select(Summary))}; but is {Show(inst)}")];
        }

        /// <summary>Whether the value has the shape an alternative is about; nested schemas only contribute their type and constants.</summary>
        private bool Fits(JsonElement schema, JsonElement inst, bool shallow)
        {
            if (schema.ValueKind != JsonValueKind.Object) return schema.ValueKind == JsonValueKind.True;
            if (Has(schema, "$ref", out var reference) && !Fits(Resolve(root, reference.GetString()!), inst, shallow)) return false;
            if (Has(schema, "type", out var type) && !IsType(type, inst)) return false;
            if (Has(schema, "const", out var constant) && !JsonElement.DeepEquals(constant, inst)) return false;
            if (Has(schema, "enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, inst))) return false;
            if (shallow || inst.ValueKind != JsonValueKind.Object) return true;
            if (Has(schema, "required", out var required) && required.EnumerateArray().Any(n => !inst.TryGetProperty(n.GetString()!, out _))) return false;
            return !Has(schema, "properties", out var properties)
                || properties.EnumerateObject().All(p => !inst.TryGetProperty(p.Name, out var value) || Fits(p.Value, value, shallow: true));
        }
    }

    private static bool Has(JsonElement schema, string keyword, out JsonElement value)
    {
        value = default;
        return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(keyword, out value);
    }

    private static bool IsType(JsonElement type, JsonElement inst) =>
        type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Any(t => IsType(t, inst)) : type.GetString() switch
        {
            "null" => inst.ValueKind == JsonValueKind.Null,
            "boolean" => inst.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "object" => inst.ValueKind == JsonValueKind.Object,
            "array" => inst.ValueKind == JsonValueKind.Array,
            "string" => inst.ValueKind == JsonValueKind.String,
            "number" => inst.ValueKind == JsonValueKind.Number,
            // 1.0 is an integer too: the spec cares about the value, not how it is written.
            "integer" => inst.ValueKind == JsonValueKind.Number && (inst.TryGetDecimal(out var m) ? m == decimal.Truncate(m) : double.IsInteger(inst.GetDouble())),
            var other => throw new InvalidOperationException($"Unknown JSON Schema type \"{other}\"."),
        };

    private static string TypeNames(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(t => t.GetString())) : type.GetString()!;

    // .NET's "$" also matches before a final "\n", so "2015-06-10\n" would pass "^...$"; ECMA-262's does not.
    // A trailing unescaped "$" (how anchored patterns are written) is therefore made a true end of input.
    private static string Ecma(string pattern) =>
        pattern.EndsWith('$') && (pattern.Length - 1 - pattern[..^1].TrimEnd('\\').Length) % 2 == 0 ? pattern[..^1] + @"\z" : pattern;

    private static string Child(string path, string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$')
            ? $"{path}.{name}"
            : $"{path}[{JsonSerializer.Serialize(name, Readable)}]";

    private static string Show(JsonElement value)
    {
        var json = JsonSerializer.Serialize(value, Readable);
        return json.Length <= 80 ? json : json[..77] + "...";
    }

    /// <summary>A short name for an alternative: its definition's name, else its type, required names and constant.</summary>
    private static string Summary(JsonElement schema)
    {
        if (Has(schema, "$ref", out var reference)) return reference.GetString()!.Split('/')[^1];
        var words = new List<string>();
        if (Has(schema, "type", out var type)) words.Add(TypeNames(type));
        if (Has(schema, "required", out var required)) words.Add("with " + string.Join(", ", required.EnumerateArray().Select(r => r.GetString())));
        if (Has(schema, "const", out var constant)) words.Add(Show(constant));
        return words.Count > 0 ? string.Join(' ', words) : Show(schema);
    }

    /// <summary>Plain words for the small conditions used by if/contains/not ("role is \"loser\""); anything else is shown as JSON.</summary>
    private static string Describe(JsonElement schema)
    {
        static string? Value(JsonElement s) =>
            Has(s, "const", out var c) ? Show(c)
            : Has(s, "enum", out var e) ? "one of " + string.Join(", ", e.EnumerateArray().Select(Show))
            : Has(s, "type", out var t) ? (t.ValueKind == JsonValueKind.String && t.GetString() == "null" ? "null" : "of type " + TypeNames(t))
            : null;
        var parts = Has(schema, "properties", out var properties)
            ? properties.EnumerateObject().Select(p => Value(p.Value) is { } v ? $"{p.Name} is {v}" : null).ToList()
            : [];
        return parts.Count > 0 && parts.All(p => p is not null) ? string.Join(" and ", parts) : "it matches " + Show(schema);
    }
}
