-- Which schema holds the read model queries answer from. A rebuild fills a new schema
-- while the active one keeps answering, then swaps this pointer in one statement.
create table {schema}.read_model_generations (
  name     text primary key,
  active   text not null,
  previous text,
  swapped_at timestamptz not null default now()
);
