-- The durable registry of elastic agents and the GoCD jobs they were requested for.
-- The auto-register key is a secret and is never stored.

-- One row per cluster profile: deciding for a profile locks its row, so that concurrent
-- requests, from any service instance, never exceed the profile's capacity.
create table cluster_profiles (
    id varchar(100) not null primary key
);

create table agents (
    id                            varchar(64)              not null primary key,
    cluster_profile_id            varchar(100)             not null references cluster_profiles (id),
    profile_key                   varchar(64)              not null,
    environment                   varchar(255)             not null,
    state                         varchar(16)              not null,
    reusable                      boolean                  not null,
    idle_timeout_seconds          bigint                   not null,
    auto_register_timeout_seconds bigint                   not null,
    created_at                    timestamp with time zone not null,
    registered_at                 timestamp with time zone,
    idle_since                    timestamp with time zone,
    terminated_at                 timestamp with time zone,
    termination_reason            varchar(255)
);

create index agents_by_profile_and_state on agents (cluster_profile_id, state);

-- The agent serving each GoCD job: no job ever gets two live agents.
create table agent_requests (
    job_key      varchar(100)             not null primary key,
    job_locator  varchar(512)             not null,
    agent_id     varchar(64)              not null references agents (id),
    requested_at timestamp with time zone not null
);
