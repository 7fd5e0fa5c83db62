-- Exactly-once agent lifecycle: guarded state transitions, ownership, decisions recorded under the
-- Zeebe job that asked, and approved capacity overrides as records.

-- Every transition is a compare-and-set on (id, state, version): a decision taken on a stale read
-- of an agent is refused instead of overwriting what happened in between.
alter table agents add column version bigint default 0 not null;
-- Who may judge whether the agent runs: the provider scope that launched it (for local agents,
-- one service instance on one host).
alter table agents add column owner varchar(100) default '' not null;
-- The GoCD job the agent serves now (null when idle, or for requests without job identifier) and
-- the create-agent decision that gave it that job.
alter table agents add column job_key varchar(100);
alter table agents add column assignment varchar(100);
alter table agents add column assigned_at timestamp with time zone;
alter table agents add column max_build_seconds bigint default 86400 not null;
-- A reservation becomes a launched agent once the provider started it.
alter table agents add column launched_at timestamp with time zone;
-- Who claimed the termination, and since when: only the claimer terminates, and a claim left
-- behind by a crash is taken over after a timeout.
alter table agents add column claimed_by varchar(100);
alter table agents add column terminating_since timestamp with time zone;

create index agents_by_owner_and_state on agents (owner, state);

-- Each decision of a create-agent, job-completion, terminate-agent or cleanup job, under the
-- identity of the job that asked (its element instance), written in the same transaction as its
-- effect. A redelivered job replays it.
create table decisions (
    decision_key varchar(120)             not null primary key,
    outcome      varchar(32)              not null,
    agent_id     varchar(64),
    job_key      varchar(100),
    variables    text                     not null,
    decided_at   timestamp with time zone not null
);

create index decisions_by_job on decisions (job_key);
create index decisions_by_time on decisions (decided_at);

-- Capacity overrides approved by a person, one per approval task, each used by at most one agent.
create table capacity_grants (
    grant_id           varchar(100)             not null primary key,
    job_key            varchar(100)             not null,
    cluster_profile_id varchar(100)             not null,
    profile_key        varchar(64)              not null,
    max_running_agents integer                  not null,
    granted_at         timestamp with time zone not null,
    used_by            varchar(64),
    used_at            timestamp with time zone
);

create index capacity_grants_by_job on capacity_grants (job_key);
