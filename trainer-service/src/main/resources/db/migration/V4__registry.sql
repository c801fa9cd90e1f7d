-- The checkpoint registry: every published checkpoint with its lineage, and which one of each
-- model is current (what inference serves). Weights live in the checkpoint store, not here.
create table models (
    name             text primary key,
    current_version  text,
    created_at       timestamptz not null default now()
);

create table checkpoints (
    model           text not null references models (name),
    version         text not null,
    parent          text,
    reference       text,
    method          text,
    job_id          uuid,
    architecture    jsonb not null,
    hyperparameters jsonb not null,
    dataset         jsonb not null,
    metrics         jsonb not null,
    weights_sha256  char(64) not null,
    created_at      timestamptz,
    registered_at   timestamptz not null default now(),
    primary key (model, version)
);

create table promotions (
    id                bigserial primary key,
    model             text not null references models (name),
    version           text not null,
    previous_version  text,
    reason            text not null,
    promoted_by       text not null,
    promoted_at       timestamptz not null default now()
);
