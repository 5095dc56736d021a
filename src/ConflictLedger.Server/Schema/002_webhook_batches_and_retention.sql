-- Opt-in batches: a webhook with a batch size receives CloudEvents batch bodies of up
-- to that many events; null keeps one event per request.
alter table {schema}.webhooks add column if not exists batch_size int check (batch_size between 1 and 1000);

-- A delivery record covers the events of its request: one, or a batch ending at 'position'.
alter table {schema}.webhook_deliveries add column if not exists events int not null default 1;

-- Delivery records are kept for ConflictLedger:Webhooks:DeliveryRetention; the cleanup deletes by age.
create index if not exists webhook_deliveries_attempted_at on {schema}.webhook_deliveries (attempted_at);
