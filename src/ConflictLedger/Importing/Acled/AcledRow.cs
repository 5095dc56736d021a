namespace ConflictLedger.Importing.Acled;

/// <summary>
/// Which of ACLED's two column layouts a file uses: the upper-case one of the pre-2019
/// files (GWNO, EVENT_ID_CNTY, ..., one EVENT_TYPE such as "Battle-No change of territory")
/// or the current lower-case one with event_type and sub_event_type.
/// </summary>
public enum AcledLayout { Pre2019, Current }

/// <summary>
/// One ACLED event as a file gives it, already checked: the date parsed, precisions in
/// range, coordinates on the globe. Text columns are kept as written, spaces included
/// (empty means null), so an export gives them back unchanged; lookups ignore the spaces.
/// </summary>
/// <param name="Line">The physical line the record starts on.</param>
/// <param name="EventType">As written: a pre-2019 type ("Remote violence") or a current one ("Battles").</param>
/// <param name="SubEventType">Null in pre-2019 files.</param>
/// <param name="Actor1">ACLED always names one; a file this ledger exported may not, when no source named the perpetrator.</param>
/// <param name="Fatalities">Null when the cell is empty.</param>
public sealed record AcledRow(
    int Line,
    AcledLayout Layout,
    string EventIdCnty,
    DateOnly EventDate,
    int TimePrecision,
    string? DisorderType,
    string EventType,
    string? SubEventType,
    string? Actor1,
    string? AssocActor1,
    string? Inter1,
    string? Actor2,
    string? AssocActor2,
    string? Inter2,
    string? Interaction,
    string? CivilianTargeting,
    string? Iso,
    string? Region,
    string? Country,
    string? Admin1,
    string? Admin2,
    string? Admin3,
    string Location,
    double? Latitude,
    double? Longitude,
    int? GeoPrecision,
    string? Source,
    string? SourceScale,
    string? Notes,
    int? Fatalities,
    string? Tags,
    string? Timestamp,
    string? LatitudeAsWritten = null,
    string? LongitudeAsWritten = null)
{
    /// <summary>ACLED's timestamp (Unix seconds, UTC: when the row was last uploaded) as a day; null when the file has none.</summary>
    public DateOnly? TimestampDay => AcledCsv.TimestampDay(Timestamp);
}
