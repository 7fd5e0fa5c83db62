-- Every lost agent reaches its lifecycle, and GoCD's agent list repairs lost job-completions.

-- Messages for lifecycles, written in the transaction of the change they announce (an agent a
-- lifecycle holds is terminated; a lost job-completion is repaired) and published from here until
-- the engine took them: a crash between the change and the publication loses nothing.
create table lifecycle_messages (
    message_id      varchar(200)             not null primary key,
    name            varchar(64)              not null,
    correlation_key varchar(100)             not null,
    variables       text                     not null,
    recorded_at     timestamp with time zone not null
);

create index lifecycle_messages_by_time on lifecycle_messages (recorded_at);

-- Since when GoCD's server-pings have shown a busy agent idle (or not at all): two pings at least
-- a grace apart make its job-completion lost, and the registry repairs it once per job.
alter table agents add column gocd_idle_since timestamp with time zone;
alter table agents add column repaired_job_key varchar(100);
