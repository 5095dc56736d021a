using ConflictLedger.Control;
using ConflictLedger.ReadModel;

namespace ConflictLedger.Tests.Control;

/// <summary>A rebuild keeps its standing claims as their rows; each landmark must get back exactly its claims, in order.</summary>
public sealed class StandingClaimDocumentsTests
{
    [Fact]
    public void claims_kept_as_documents_come_back_whole_per_landmark_across_buffers()
    {
        // More than 8 MB of documents: several buffers, documents cut by none of their ends.
        var landmarks = new[] { "hotel", "al-harish-hospital", "port", "درنة" };
        var kept = landmarks.ToDictionary(l => l, _ => new List<ControlClaim>());
        var store = new StandingClaimDocuments();
        var random = new Random(3);
        for (var round = 0; round < 80; round++)
        {
            foreach (var claim in TimelineSweepTests.RandomHistory(random, 60))
            {
                var landmark = landmarks[random.Next(landmarks.Length)];
                // Standing (kept), ids not only ASCII: what the columns hold comes back with the document.
                var placed = claim with
                {
                    Landmark = landmark, OccurrenceId = claim.OccurrenceId + "-درنة", SupersededFrom = null,
                    Source = claim.Source with { Quote = new string('q', random.Next(0, 3_000)) },
                };
                kept[landmark].Add(placed);
                var document = StoredClaim.Pooled(placed);
                store.Add(placed, document.Text.Span);
                document.Return();
            }
        }

        Assert.Equal(landmarks.Order(StringComparer.Ordinal), store.Landmarks());
        foreach (var landmark in landmarks)
            Assert.Equal(kept[landmark].Select(Json.Serialize), store.Of(landmark).Select(Json.Serialize));
        Assert.True(kept.Values.Sum(c => c.Sum(claim => Json.Serialize(claim).Length)) > 2 * 4 * 1024 * 1024);
    }
}
