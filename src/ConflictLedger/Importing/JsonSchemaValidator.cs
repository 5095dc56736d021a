using System.Text.Json;

namespace ConflictLedger.Importing;

/// <summary>A place where an instance breaks its schema.</summary>
/// <param name="Path">JSON path of the offending value, e.g. "$.occurrences[2].when.earliest".</param>
public sealed record SchemaError(string Path, string Message);

/// <summary>
/// Validates JSON against the draft 2020-12 keywords <c>events/schema.json</c> uses.
/// No JSON Schema library can be restored from the registry this project uses.
/// </summary>
public static class JsonSchemaValidator
{
    /// <param name="definition">A JSON pointer into the schema naming the subschema to apply ("#/$defs/sourceFile"), or "#" for the root.</param>
    public static IReadOnlyList<SchemaError> Validate(JsonElement schemaRoot, string definition, JsonElement instance) =>
        throw new NotImplementedException();
}
