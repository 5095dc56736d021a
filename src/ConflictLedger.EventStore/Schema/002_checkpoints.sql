-- Durable subscription checkpoints: the (tx_id, seq) pair of the last event a
-- subscription has handled. Handlers that write to this database advance the
-- checkpoint in the same transaction as their own rows.
create table {schema}.checkpoints (
  name       text        primary key,
  tx_id      xid8        not null default '0',
  seq        bigint      not null default 0,
  updated_at timestamptz not null default now()
);
