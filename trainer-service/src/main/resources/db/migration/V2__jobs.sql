-- Training jobs, OpenAI-shaped: queued → running → succeeded | failed | cancelled.
create table jobs (
    id                uuid primary key,
    method            text not null,
    model             text not null,
    project_id        uuid,
    hyperparameters   jsonb not null,
    seed              bigint not null,
    suffix            text,
    status            text not null default 'queued'
                      check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    cancel_requested  boolean not null default false,
    error             text,
    steps_done        int not null default 0,
    steps_total       int not null,
    created_by        text not null,
    created_at        timestamptz not null default now(),
    started_at        timestamptz,
    finished_at       timestamptz
);
create index jobs_queued on jobs (created_at, id) where status = 'queued';
create index jobs_by_model on jobs (model, created_at);

create table job_events (
    id          bigserial primary key,
    job_id      uuid not null references jobs (id),
    created_at  timestamptz not null default now(),
    level       text not null check (level in ('info', 'warn', 'error')),
    type        text not null check (type in ('message', 'metrics')),
    message     text not null,
    data        jsonb
);
create index job_events_by_job on job_events (job_id, id);
