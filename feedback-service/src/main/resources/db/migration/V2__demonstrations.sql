-- Demonstrations: candidates written (or chosen) as examples of what the model should produce, the
-- data of supervised fine-tuning. They are candidates so that they can still be paired by id, but
-- bulk pairing from prompts leaves them out. author is the caller who wrote one (a labeler's id).
alter table candidates add column demonstration boolean not null default false;
alter table candidates add column author text;
create index candidates_demonstrations on candidates (project_id, created_at, id) where demonstration;
