-- The feedback database: who may call, projects, candidates (and their images), pairs to judge,
-- labelers' leases on pairs (tasks), judgments, and the responses of idempotent requests.

create table api_keys (
    id          uuid primary key,
    name        text not null,
    role        text not null check (role in ('admin', 'labeler', 'service')),
    key_hash    char(64) not null unique,
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz
);

create table projects (
    id                  uuid primary key,
    name                text not null,
    modality            text not null check (modality in ('image', 'text')),
    instructions        text not null,
    judgments_per_pair  int not null check (judgments_per_pair between 1 and 50),
    allow_ties          boolean not null,
    -- the last position handed out in the project's comparisons feed
    feed_position       bigint not null default 0,
    created_at          timestamptz not null default now()
);

-- PNGs stored once, by the SHA-256 of their bytes
create table images (
    sha256      char(64) primary key,
    width       int not null,
    height      int not null,
    png         bytea not null,
    created_at  timestamptz not null default now()
);

create table candidates (
    id            uuid primary key,
    project_id    uuid not null references projects (id),
    prompt        text not null,
    text          text,
    image_sha256  char(64) references images (sha256),
    model         text,
    checkpoint    text,
    seed          bigint,
    params        jsonb not null default '{}',
    created_at    timestamptz not null default now(),
    check ((text is null) <> (image_sha256 is null))
);
create index candidates_by_prompt on candidates (project_id, prompt, created_at);

create table pairs (
    id                uuid primary key,
    project_id        uuid not null references projects (id),
    candidate_a       uuid not null references candidates (id),
    candidate_b       uuid not null references candidates (id),
    judgments_needed  int not null,
    votes_a           int not null default 0,
    votes_b           int not null default 0,
    votes_tie         int not null default 0,
    votes_both_bad    int not null default 0,
    skips             int not null default 0,
    status            text not null default 'open' check (status in ('open', 'resolved')),
    outcome           text check (outcome in ('a', 'b', 'tie', 'both_bad', 'split')),
    agreement         double precision,
    resolved_at       timestamptz,
    -- position in the comparisons feed; given when a reader first sees the resolution, so that
    -- positions are gapless and a later commit never lands behind a reader's cursor
    feed_position     bigint,
    created_at        timestamptz not null default now(),
    check (candidate_a <> candidate_b),
    check ((status = 'resolved') = (outcome is not null))
);
create unique index pairs_unique_candidates
    on pairs (project_id, least(candidate_a, candidate_b), greatest(candidate_a, candidate_b));
create index pairs_open on pairs (project_id, created_at, id) where status = 'open';
create index pairs_unsequenced on pairs (project_id, resolved_at, id) where status = 'resolved' and feed_position is null;
create unique index pairs_feed on pairs (project_id, feed_position) where feed_position is not null;

-- a lease of one pair to one labeler; left_choice is the candidate shown on the left
create table tasks (
    id           uuid primary key,
    pair_id      uuid not null references pairs (id),
    project_id   uuid not null,
    labeler_id   uuid not null,
    left_choice  char(1) not null check (left_choice in ('a', 'b')),
    state        text not null default 'leased' check (state in ('leased', 'judged')),
    leased_at    timestamptz not null default now(),
    expires_at   timestamptz not null,
    unique (pair_id, labeler_id)
);
create index tasks_active on tasks (pair_id) where state = 'leased';
create index tasks_by_labeler on tasks (labeler_id, project_id) where state = 'leased';

create table judgments (
    id               uuid primary key,
    pair_id          uuid not null references pairs (id),
    project_id       uuid not null,
    labeler_id       uuid not null,
    task_id          uuid,
    choice           text not null check (choice in ('a', 'b', 'tie', 'both_bad', 'skip')),
    left_choice      char(1) check (left_choice in ('a', 'b')),
    elapsed_ms       int,
    idempotency_key  text,
    created_at       timestamptz not null default now(),
    unique (pair_id, labeler_id)
);
create unique index judgments_idempotency on judgments (labeler_id, idempotency_key) where idempotency_key is not null;
create index judgments_by_project on judgments (project_id, labeler_id);

-- responses of creating POSTs sent with an Idempotency-Key, replayed on retry
create table idempotent_requests (
    caller_id     text not null,
    key           text not null,
    request_hash  char(64) not null,
    status        int not null,
    body          text not null,
    created_at    timestamptz not null default now(),
    primary key (caller_id, key)
);
