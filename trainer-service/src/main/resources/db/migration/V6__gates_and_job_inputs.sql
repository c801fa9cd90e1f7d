-- The promotion gate also refuses a checkpoint whose quality regressed against its parent by more
-- than this (the checkpoint's quality_regression metric, see docs/trainer-service.md).
alter table policies add column gate_max_regression double precision not null default 0.1;

-- What a job learns from besides the comparisons feed: DCO's reference images (candidate ids of
-- the feedback-service, or uploaded PNGs with their prompts).
alter table jobs add column inputs jsonb;
