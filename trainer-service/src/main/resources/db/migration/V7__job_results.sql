-- What a job produced: the checkpoint it published (null until it has), and for a policy's job what
-- the promotion gate decided about that checkpoint ({promoted, metric, value, min, quality_regression,
-- max_regression, reason}; null when no gate decided anything).
alter table jobs add column result_model text;
alter table jobs add column result_version text;
alter table jobs add column promotion jsonb;

-- Jobs that published before these columns existed: their checkpoint is registered with their id.
-- (Their gate decisions were only written as prose events and are not recovered.)
update jobs j set result_model = c.model, result_version = c.version
from checkpoints c where c.job_id = j.id;

-- Events that carry these as data, beside their message.
alter table job_events drop constraint job_events_type_check;
alter table job_events add constraint job_events_type_check
    check (type in ('message', 'metrics', 'publication', 'promotion'));
