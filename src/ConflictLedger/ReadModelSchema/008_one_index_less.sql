-- control_claims_by_landmark (landmark) leads with what control_claims_by_occurrence
-- (landmark, occurrence_id) and control_claims_recent (landmark, latest, standing claims)
-- lead with: every query by landmark is served by one of them. Building it was an eighth
-- of a 1,000,000-event rebuild's index work, and every projected claim updated it.
drop index if exists {schema}.control_claims_by_landmark;
