-- Indicators: a catalogue entry (metadata as imported) and its values,
-- replaced atomically per indicator by an import; every value keeps the
-- dataset (file, sha256, import time) it came from.
CREATE TABLE indicator_dataset (
    id          bigserial   PRIMARY KEY,
    indicator   text        NOT NULL,
    files       text[]      NOT NULL,
    sha256      text        NOT NULL,
    rows        integer     NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    active      boolean     NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX indicator_dataset_active ON indicator_dataset (indicator) WHERE active;

CREATE TABLE indicator (
    id         text    PRIMARY KEY,
    theme      text    NOT NULL,
    demo       boolean NOT NULL,
    meta       jsonb   NOT NULL,
    dataset_id bigint  NOT NULL REFERENCES indicator_dataset (id)
);

CREATE TABLE indicator_value (
    indicator   text    NOT NULL REFERENCES indicator (id) ON DELETE CASCADE,
    level       text    NOT NULL,
    code        text    NOT NULL,
    period      text    NOT NULL,
    sex         text    NOT NULL,
    sector      text    NOT NULL,
    value       double precision,
    numerator   double precision,
    denominator double precision,
    -- published, secret, missing, provisional, estimated; a secret row
    -- keeps its counts here (for re-aggregation) but no output shows them.
    status      text    NOT NULL,
    computed    boolean NOT NULL DEFAULT false,
    dataset_id  bigint  NOT NULL REFERENCES indicator_dataset (id),
    PRIMARY KEY (indicator, level, period, sex, sector, code)
);
CREATE INDEX indicator_value_territory ON indicator_value (level, code);
