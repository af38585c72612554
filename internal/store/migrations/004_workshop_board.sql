-- The board of a workshop: contributions pinned to territories, dots,
-- polls and their answers, one row each, so that a dot or an answer
-- writes a row and reads the few it needs, on one index each, whatever
-- the size of the board (and however stale its statistics: the tables
-- grow by thousands of rows in a workshop's first minutes). The phase
-- and the vote's settings are the workshop row's, with the next numbers
-- to give (never reused: a client may hold a deleted one). purged_at says
-- the personal data of a closed workshop was removed at the end of its
-- retention.
ALTER TABLE workshop
    ADD COLUMN phase             text        NOT NULL DEFAULT 'writing',
    ADD COLUMN vote_budget       int         NOT NULL DEFAULT 3,
    ADD COLUMN hide_results      boolean     NOT NULL DEFAULT false,
    ADD COLUMN results_shown     boolean     NOT NULL DEFAULT false,
    ADD COLUMN next_contribution int         NOT NULL DEFAULT 1,
    ADD COLUMN next_poll         int         NOT NULL DEFAULT 1,
    -- The vote's totals, kept by every dot rather than counted.
    ADD COLUMN dots              int         NOT NULL DEFAULT 0,
    ADD COLUMN voters            int         NOT NULL DEFAULT 0,
    ADD COLUMN purged_at         timestamptz;

CREATE INDEX workshop_closed ON workshop (closed_at) WHERE status = 'closed' AND purged_at IS NULL;

CREATE TABLE workshop_contribution (
    workshop_id    bigint      NOT NULL REFERENCES workshop (id) ON DELETE CASCADE,
    id             int         NOT NULL,
    kind           text        NOT NULL,
    body           text        NOT NULL,
    level          text        NOT NULL,
    code           text        NOT NULL,
    territory_name text        NOT NULL,
    -- The view it was made on and the value shown (the workshop
    -- package's JSON), or null.
    stamp          jsonb,
    -- 0: the facilitator.
    author         int         NOT NULL,
    author_name    text        NOT NULL,
    created_at     timestamptz NOT NULL,
    edited_at      timestamptz,
    revealed       boolean     NOT NULL,
    hidden         boolean     NOT NULL DEFAULT false,
    merged_into    int,
    retained       boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (workshop_id, id),
    FOREIGN KEY (workshop_id, merged_into) REFERENCES workshop_contribution (workshop_id, id) ON DELETE SET NULL (merged_into)
);
CREATE INDEX workshop_contribution_merged ON workshop_contribution (workshop_id, merged_into) WHERE merged_into IS NOT NULL;

-- One row per dot: a participant may put several on the same target. A
-- dot on a contribution carries the contribution's territory, so that a
-- territory's count (the priorities map) reads one index; merging a
-- contribution into another moves its dots there.
CREATE TABLE workshop_dot (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id  bigint NOT NULL REFERENCES workshop (id) ON DELETE CASCADE,
    participant  int    NOT NULL,
    contribution int,
    level        text   NOT NULL,
    code         text   NOT NULL,
    FOREIGN KEY (workshop_id, contribution) REFERENCES workshop_contribution (workshop_id, id) ON DELETE CASCADE
);
CREATE INDEX workshop_dot_participant ON workshop_dot (workshop_id, participant);
CREATE INDEX workshop_dot_contribution ON workshop_dot (workshop_id, contribution);
CREATE INDEX workshop_dot_territory ON workshop_dot (workshop_id, level, code);

CREATE TABLE workshop_poll (
    workshop_id bigint      NOT NULL REFERENCES workshop (id) ON DELETE CASCADE,
    id          int         NOT NULL,
    question    text        NOT NULL,
    kind        text        NOT NULL,
    choices     text[]      NOT NULL,
    open        boolean     NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (workshop_id, id)
);

-- A participant's answer: the indices of the choices (a ranking: all of
-- them, best first).
CREATE TABLE workshop_answer (
    workshop_id bigint      NOT NULL,
    poll        int         NOT NULL,
    participant int         NOT NULL,
    choices     int[]       NOT NULL,
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workshop_id, poll, participant),
    FOREIGN KEY (workshop_id, poll) REFERENCES workshop_poll (workshop_id, id) ON DELETE CASCADE
);
