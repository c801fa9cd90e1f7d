-- Online training: when a project has N new resolved comparisons, a policy queues a job on exactly
-- those (feed_after, feed_to], from the model's current checkpoint, and promotes the result if it
-- passes the gate. trained_through only moves when a job succeeds, so no range is trained twice.
create table policies (
    id               uuid primary key,
    project_id       uuid not null,
    model            text not null,
    method           text not null,
    hyperparameters  jsonb not null,
    every_n          int not null check (every_n > 0),
    gate_metric      text not null,
    gate_min         double precision not null,
    trained_through  bigint not null default 0,
    active           boolean not null default true,
    created_by       text not null,
    created_at       timestamptz not null default now()
);

alter table jobs add column policy_id uuid references policies (id);
alter table jobs add column feed_after bigint;
alter table jobs add column feed_to bigint;
create unique index jobs_one_active_per_policy on jobs (policy_id) where status in ('queued', 'running');
