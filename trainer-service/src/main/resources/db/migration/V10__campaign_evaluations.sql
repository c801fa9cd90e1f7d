-- A campaign's evaluation set: fixed prompts × seeds, rendered from every checkpoint it serves
-- ({prompts, seeds, seed, side_by_side}); side by side, each rendering is paired with the one
-- before it (same prompt, same seed) as evaluation pairs for labelers: a human win rate.
alter table campaigns add column evaluation jsonb;

create table campaign_evaluations (
    campaign_id  uuid not null references campaigns (id),
    checkpoint   text not null,
    -- the checkpoint rendered before this one: its side-by-side opponent
    against      text,
    -- the proposal id the rendering is asked under (a retry registers nothing twice)
    proposal     uuid not null,
    status       text not null check (status in ('pending', 'rendered', 'paired', 'failed')),
    -- the rendered candidates' ids, prompt by prompt, seed by seed
    candidates   jsonb,
    pairs        int,
    error        text,
    created_at   timestamptz not null default now(),
    finished_at  timestamptz,
    primary key (campaign_id, checkpoint)
);

-- A policy gated on human_win_rate waits for this many votes on a checkpoint's evaluation pairs.
alter table policies add column gate_min_votes int check (gate_min_votes > 0);
