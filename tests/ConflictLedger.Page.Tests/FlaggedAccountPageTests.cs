using ConflictLedger.Log;
using ConflictLedger.Occurrences;
using Microsoft.Playwright;

namespace ConflictLedger.Page.Tests;

/// <summary>The seed plus one ACLED row whose coding contradicts itself (kept, flagged, never moving a holder).</summary>
public sealed class FlaggedAccountPageFixture : PageFixture
{
    protected override async Task AppendAsync(LedgerLog store)
    {
        var account = new Account(OccurrenceKind.TerritoryTaken, new WorldTime(new DateOnly(2015, 6, 20), new DateOnly(2015, 6, 20), DatePrecision.Day),
            "ras-hilal", [new ActorInRole("islamic-state", ActorRole.Side), new ActorInRole("mujahideen-shura-council", ActorRole.Side)], null, Firmness.Reported,
            new Source("ACLED", null, new DateOnly(2015, 6, 22), DatePrecision.Day, null, "Non-state actor coded as the government regaining territory."),
            Flags: ["coding-inconsistent"]);
        var e = new AccountReported("flagged-acled-row", "acled/LBY-1", account);
        await store.AppendAsync(OccurrenceEvents.StreamId(e.OccurrenceId), ExpectedVersion.NoStream, [OccurrenceEvents.ToEventData(e, 0)]);
    }
}

public sealed class FlaggedAccountPageTests(FlaggedAccountPageFixture server) : IClassFixture<FlaggedAccountPageFixture>
{
    [Fact]
    public async Task an_account_flagged_coding_inconsistent_shows_its_flag()
    {
        var page = await server.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.RouteAsync("https://tile.openstreetmap.org/**", route => route.AbortAsync());
        await page.GotoAsync(server.BaseAddress.ToString());

        await page.Locator(".marker[data-occurrence='flagged-acled-row'] circle").First.ClickAsync(new() { Timeout = 15000 });

        await Assertions.Expect(page.Locator("#details .account .flag")).ToHaveTextAsync("coding-inconsistent");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.ScreenshotFolder, "flagged-account.png"), FullPage = true });
    }
}
