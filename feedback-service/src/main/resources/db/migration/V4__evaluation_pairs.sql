-- Evaluation pairs: new checkpoint (candidate a) against the previous one (candidate b), judged by
-- labelers to measure a human win rate. They are served before training pairs, never enter the
-- comparisons feed (so no policy trains on them), and are never retired.

alter table pairs add column purpose text not null default 'training'
    check (purpose in ('training', 'evaluation'));

-- served_by gains 'evaluation' (V3's check is a column check with a generated name: find it)
do $$
declare
    name text;
begin
    select conname into strict name from pg_constraint
    where conrelid = 'pairs'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%served_by%';
    execute format('alter table pairs drop constraint %I', name);
end $$;
alter table pairs add constraint pairs_served_by_values
    check (served_by in ('fifo', 'uncertainty', 'random', 'evaluation'));

-- resolved evaluation pairs never get a feed position: keep them out of the sequencer's index
drop index pairs_unsequenced;
create index pairs_unsequenced on pairs (project_id, resolved_at, id)
    where status = 'resolved' and feed_position is null and purpose = 'training';

-- tasks/next looks for an open evaluation pair, oldest first, before any training pair
create index pairs_open_evaluation on pairs (project_id, created_at, id)
    where status = 'open' and purpose = 'evaluation';
