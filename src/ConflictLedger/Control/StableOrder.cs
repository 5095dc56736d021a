namespace ConflictLedger.Control;

/// <summary>Ordering for the derivations, which run for every change of every landmark.</summary>
internal static class StableOrder
{
    /// <summary>
    /// <paramref name="items"/> ordered by <paramref name="compare"/>, ties kept in the order
    /// given (as OrderBy keeps them; List.Sort would not). They usually come in order already
    /// and are then returned as they are, not copied.
    /// </summary>
    public static IReadOnlyList<T> Of<T>(IReadOnlyList<T> items, Comparison<T> compare)
    {
        for (var i = 1; i < items.Count; i++)
            if (compare(items[i - 1], items[i]) > 0) return Sorted(items, compare);
        return items;
    }

    private static T[] Sorted<T>(IReadOnlyList<T> items, Comparison<T> compare)
    {
        var indexed = new (T Item, int Index)[items.Count];
        for (var i = 0; i < items.Count; i++) indexed[i] = (items[i], i);
        Array.Sort(indexed, (a, b) => compare(a.Item, b.Item) is var order and not 0 ? order : a.Index.CompareTo(b.Index));
        return Array.ConvertAll(indexed, x => x.Item);
    }
}
