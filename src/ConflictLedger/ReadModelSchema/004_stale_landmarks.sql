-- Landmarks whose stored intervals lag behind their claims. While Marten's daemon catches
-- up (more of the log committed beyond its batch), a batch records the landmarks it
-- touched here instead of deriving their intervals again: deriving reads every standing
-- claim of the landmark, so doing it per batch made catching up cost as much as the log
-- (measured: 20,000 events took 3 s on an empty log, 228 s on a 180,000-event one). The
-- batch that reaches the head derives them all once and empties the table; until then a
-- query derives a listed landmark from its claims, so answers never lag.
create table if not exists {schema}.stale_landmarks (
  landmark text primary key
);
