-- Imported preference datasets: each import's rows become candidates and resolved training pairs that
-- nobody judged here. pairs.source says where a pair's outcome came from ('import:<import id>'); it is
-- null for pairs judged by this service's labelers.

create table imports (
    id          uuid primary key,
    project_id  uuid not null references projects (id),
    format      text not null check (format in ('trl', 'pickapic')),
    rows        int not null,
    caller_id   text not null,
    created_at  timestamptz not null default now()
);
create index imports_by_project on imports (project_id, created_at);

alter table pairs add column source text;
