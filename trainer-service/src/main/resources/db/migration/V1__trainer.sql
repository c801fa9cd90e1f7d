-- The trainer database. Jobs, checkpoints and policies arrive with the trainer's own migrations;
-- this first one only records which build created the schema.
create table schema_origin (
    created_by  text not null,
    created_at  timestamptz not null default now()
);
insert into schema_origin (created_by) values ('prefloop trainer-service 0.1');
