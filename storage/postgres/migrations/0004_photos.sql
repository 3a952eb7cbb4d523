-- Evidence photos (storage.Tx.PutPhoto), written in the step that records them on their
-- report, so whichever instance sends a photo to the staff chats reads it here; the retention
-- purge deletes them with the report's personal data. report is the number the name starts with.
CREATE TABLE photos (
	name       text PRIMARY KEY,
	report     text NOT NULL,
	data       bytea NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX photos_report ON photos (report);
-- JPEG and PNG are compressed already: store them out of line without trying again.
ALTER TABLE photos ALTER COLUMN data SET STORAGE EXTERNAL;
