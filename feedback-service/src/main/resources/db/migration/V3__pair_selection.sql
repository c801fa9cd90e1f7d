-- Active pair selection: a scoring model's P(a ≻ b) on each pair, a project's rule for which open
-- pair tasks/next hands out, and pairs retired because a newer checkpoint superseded them.

alter table pairs add column p_a double precision check (p_a between 0 and 1);
alter table pairs add column scored_by text;
-- the rule that first leased the pair: 'random' pairs are an unbiased sample, the others are not
alter table pairs add column served_by text check (served_by in ('fifo', 'uncertainty', 'random'));
alter table pairs add column retired_at timestamptz;

-- a retired pair has no outcome, like an open one (the outcome check already says so)
-- (V1's check is unnamed; PostgreSQL's generated name depends on the order of the checks, so find it)
do $$
declare
    name text;
begin
    select conname into strict name from pg_constraint
    where conrelid = 'pairs'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%''open''%';
    execute format('alter table pairs drop constraint %I', name);
end $$;
alter table pairs add constraint pairs_status_values check (status in ('open', 'resolved', 'retired'));

-- the uncertainty order of tasks/next: closest to a coin flip first, unscored (null) last
create index pairs_open_uncertain on pairs (project_id, abs(p_a - 0.5), created_at, id) where status = 'open';
-- the pair listing, by any status
create index pairs_by_project on pairs (project_id, created_at, id);

alter table projects add column selection_mode text not null default 'fifo'
    check (selection_mode in ('fifo', 'uncertainty'));
alter table projects add column random_share double precision not null default 0.2
    check (random_share between 0 and 1);
