-- A campaign keeps a feedback project supplied with pairs to judge: whenever fewer than
-- target_depth pairs are open, or a new checkpoint of the model is served, it asks the
-- inference-service for proposals from the served checkpoint; its policy trains on what labelers
-- judge. One replica at a time ticks a campaign: it claims the row by setting busy_until.
create table campaigns (
    id                    uuid primary key,
    name                  text not null,
    project_id            uuid not null,
    model                 text not null,
    policy_id             uuid references policies (id),
    -- the fields every proposal request carries (sampler or text settings, pairs or candidates per prompt)
    proposal              jsonb not null,
    prompts_per_proposal  int not null check (prompts_per_proposal > 0),
    prompt_order          text not null check (prompt_order in ('round_robin', 'need')),
    target_depth          int not null check (target_depth > 0),
    superseded            text not null check (superseded in ('retire', 'keep')),
    pairs_per_checkpoint          int not null check (pairs_per_checkpoint > 0),
    -- how the feedback-service picks pairs for labelers ('fifo' or 'uncertainty' with a share of
    -- random pairs); the reward model whose current checkpoint scores pairs, and the checkpoint
    -- that last scored the open ones
    selection_mode        text not null check (selection_mode in ('fifo', 'uncertainty')),
    random_share          double precision not null,
    score_with            text,
    scored_by             text,
    seed                  bigint,
    state                 text not null default 'active' check (state in ('active', 'paused', 'stopped')),
    -- the checkpoint the last proposal came from
    proposal_checkpoint   text,
    proposals_made        int not null default 0,
    next_prompt           int not null default 0,
    -- the feedback project's pairs as last seen: open pairs, and counts per checkpoint
    open_pairs            int,
    pair_summary          jsonb,
    last_error            text,
    last_error_at         timestamptz,
    busy_until            timestamptz,
    created_by            text not null,
    created_at            timestamptz not null default now()
);

create table campaign_prompts (
    campaign_id  uuid not null references campaigns (id),
    position     int not null,
    prompt       text not null,
    -- held-out prompts are never proposed for training pairs; evaluations use them
    held_out     boolean not null,
    primary key (campaign_id, position),
    unique (campaign_id, prompt)
);

-- Each proposal is recorded before the inference-service is asked, with the request it makes:
-- a retry after a crash sends the same proposal id, so the feedback-service creates nothing twice.
create table campaign_proposals (
    id            uuid primary key,
    campaign_id   uuid not null references campaigns (id),
    seq           int not null,
    reason        text not null check (reason in ('depth', 'checkpoint')),
    prompts       jsonb not null,
    seed          bigint not null,
    status        text not null check (status in ('pending', 'done', 'failed')),
    open_before   int,
    checkpoint    text,
    pairs         int,
    error         text,
    created_at    timestamptz not null default now(),
    finished_at   timestamptz,
    unique (campaign_id, seq)
);
create unique index campaign_one_pending_proposal on campaign_proposals (campaign_id) where status = 'pending';

-- open pairs over time (a sample when the count changes), for the dashboard's depth chart
create table campaign_depth (
    campaign_id  uuid not null references campaigns (id),
    at           timestamptz not null default now(),
    open_pairs   int not null,
    checkpoint   text
);
create index campaign_depth_by_time on campaign_depth (campaign_id, at);
