-- Workers claim jobs with FOR UPDATE SKIP LOCKED and hold them by a lease they renew; a job whose
-- lease ran out (its worker died) is claimed again and resumes.
alter table jobs add column lease_owner text;
alter table jobs add column lease_expires_at timestamptz;
alter table jobs add column attempts int not null default 0;
create index jobs_expired_leases on jobs (lease_expires_at) where status = 'running';
