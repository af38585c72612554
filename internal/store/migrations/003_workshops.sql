-- Live workshops: the workshop and its state, its participants, and an
-- append-only log of its events. An event is committed before anyone sees
-- it (NOTIFY atlas_workshops carries only "workshop id:seq", a pointer);
-- seq numbers a workshop's events from 1, and is the SSE event id.
CREATE TABLE workshop (
    id               bigserial   PRIMARY KEY,
    code             text        NOT NULL UNIQUE,
    title            text        NOT NULL,
    region           text        NOT NULL DEFAULT '',
    facilitator_hash bytea       NOT NULL,
    allow_anonymous  boolean     NOT NULL DEFAULT false,
    allow_pointing   boolean     NOT NULL DEFAULT true,
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    -- The last event's seq: the row is locked to append one, so a
    -- workshop's events are numbered without gaps, in commit order.
    seq              bigint      NOT NULL DEFAULT 0,
    -- The state the events built (view, steps, pointer), owned by the
    -- workshop package: a late joiner starts from it, not from the log.
    state            jsonb       NOT NULL DEFAULT '{}',
    participants     integer     NOT NULL DEFAULT 0
);

CREATE TABLE workshop_participant (
    workshop_id bigint      NOT NULL REFERENCES workshop (id) ON DELETE CASCADE,
    id          integer     NOT NULL,
    name        text        NOT NULL,
    token_hash  bytea       NOT NULL,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    -- Refreshed by the server holding one of the participant's streams.
    seen_at     timestamptz,
    following   boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (workshop_id, id)
);

CREATE TABLE workshop_event (
    workshop_id bigint      NOT NULL REFERENCES workshop (id) ON DELETE CASCADE,
    seq         bigint      NOT NULL,
    kind        text        NOT NULL,
    -- "facilitator" or "p<participant id>".
    actor       text        NOT NULL,
    -- Who may see it: NULL everyone, 0 the facilitator only, n participant
    -- n and the facilitator.
    audience    integer,
    data        jsonb       NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workshop_id, seq)
);
