-- The global lookup counter, one row per clock hour, written outside the steps' transactions.
CREATE TABLE lookup_global (
	hour timestamptz PRIMARY KEY,
	n    bigint NOT NULL
);
