-- Claims on queued messages (storage.Claimer): which sender is sending a message, until when.
-- Times are the server's clock, so instances with skewed clocks agree on a lease.
ALTER TABLE outbound ADD COLUMN claimed_by text, ADD COLUMN claimed_until timestamptz;
