-- Administration: the files each dataset was imported from (name, size and
-- sha256 of each, as the admin API lists them; the dataset's own sha256 is
-- the import's fingerprint, which also covers the options), and the answers
-- kept for the uploads' Idempotency-Key.
ALTER TABLE territory_dataset ADD COLUMN sources jsonb NOT NULL DEFAULT '[]';
ALTER TABLE indicator_dataset ADD COLUMN sources jsonb NOT NULL DEFAULT '[]';

-- One row per key. A request claims its key before reading its body, so a
-- concurrent duplicate finds the row without an answer (status NULL) and
-- is refused; the finished request stores its fingerprint (method, path,
-- options and the digests of its parts) and its answer, which a repeat
-- with the same fingerprint gets back. A failure that another try could
-- undo (an interrupted upload, a server error) deletes the row.
CREATE TABLE admin_idempotency (
    key          text        PRIMARY KEY,
    fingerprint  text,
    status       integer,
    content_type text,
    body         bytea,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
