-- The board of a workshop (phase, contributions, votes, polls) apart from
-- its live state (view, steps, pointer): the facilitator's ten views a
-- second then rewrite a small column, and the board, unchanged, keeps its
-- stored value. purged_at says the personal data of a closed workshop was
-- removed at the end of its retention.
ALTER TABLE workshop ADD COLUMN board jsonb NOT NULL DEFAULT '{}';
ALTER TABLE workshop ADD COLUMN purged_at timestamptz;
CREATE INDEX workshop_closed ON workshop (closed_at) WHERE status = 'closed' AND purged_at IS NULL;
