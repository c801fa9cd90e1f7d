-- A policy's seed: when set, each of its jobs trains with a seed derived from it and the job's feed
-- range, so that a run of the loop can be repeated; null draws a random seed per job.
alter table policies add column seed bigint;
