-- Each case's heads as of its last commit (concatenated 32-byte hashes), so that a merge can
-- tell whether the document it holds loaded is exactly the stored one before reading any of
-- the case's bytes (ADR 0015). NULL for cases last written before this migration: their
-- next merge reads their bytes, and its commit fills the column.
ALTER TABLE cases ADD COLUMN heads BYTEA;
