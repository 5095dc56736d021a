-- Durable positions of the ledger's own followers of the log (one per webhook): the
-- last event handled. A follower moves its checkpoint in the same transaction as its
-- own rows. The read model's checkpoint is Marten's (mt_event_progression).
create table {schema}.checkpoints (
  name       text        primary key,
  position   bigint      not null default 0,
  updated_at timestamptz not null default now()
);
