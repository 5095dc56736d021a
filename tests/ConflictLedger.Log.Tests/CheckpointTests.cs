using ConflictLedger.Testing;

namespace ConflictLedger.Log.Tests;

public sealed class CheckpointTests(StoreFixture db) : IClassFixture<StoreFixture>
{
    private Checkpoints Checkpoints => db.Store.Checkpoints;

    [Fact]
    public async Task a_new_checkpoint_starts_at_the_beginning_and_moves_in_the_caller_transaction()
    {
        Assert.Null(await Checkpoints.ReadAsync("fresh"));
        Assert.Equal(LogPosition.Start, await Checkpoints.LoadAsync("fresh"));

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await Checkpoints.AdvanceAsync(connection, tx, "fresh", LogPosition.Start, new LogPosition(5));
            await tx.RollbackAsync();
        }
        Assert.Equal(LogPosition.Start, await Checkpoints.LoadAsync("fresh"));
    }

    [Fact]
    public async Task two_movers_from_the_same_position_cannot_both_commit()
    {
        await Checkpoints.ResetAsync("pair", new LogPosition(3));
        await using var a = await db.DataSource.OpenConnectionAsync();
        await using var b = await db.DataSource.OpenConnectionAsync();
        await using var txA = await a.BeginTransactionAsync();
        await Checkpoints.AdvanceAsync(a, txA, "pair", new LogPosition(3), new LogPosition(7));
        await txA.CommitAsync();

        await using var txB = await b.BeginTransactionAsync();
        await Assert.ThrowsAsync<CheckpointMovedException>(() => Checkpoints.AdvanceAsync(b, txB, "pair", new LogPosition(3), new LogPosition(9)));
        Assert.Equal(new LogPosition(7), await Checkpoints.LoadAsync("pair"));
    }
}
