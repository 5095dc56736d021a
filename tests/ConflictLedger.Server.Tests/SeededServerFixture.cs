namespace ConflictLedger.Server.Tests;

/// <summary>A server whose readiness waits for the read model to project everything, including the Derna seed imported at start.</summary>
public sealed class SeededServerFixture : ServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ConflictLedger:MaxProjectionLag"] = "0" };
}
