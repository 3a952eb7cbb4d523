-- Reports and sanggah: the JSON document is the record; the columns beside it are what the
-- store selects and orders by, written from the document in the same statement.
CREATE TABLE reports (
	id         text PRIMARY KEY,
	kind       text NOT NULL,
	status     text NOT NULL,
	nik        text NOT NULL,
	created_at timestamptz NOT NULL,
	doc        jsonb NOT NULL
);
CREATE INDEX reports_nik ON reports (nik) WHERE nik <> '';
CREATE INDEX reports_status ON reports (kind, status, created_at, id);
CREATE INDEX reports_order ON reports (created_at, id);

CREATE TABLE audit (
	seq    bigserial PRIMARY KEY,
	at     timestamptz NOT NULL,
	report text NOT NULL,
	doc    jsonb NOT NULL
);
CREATE INDEX audit_at ON audit (at, seq);
CREATE INDEX audit_report ON audit (report);

CREATE TABLE sessions (
	chat       text PRIMARY KEY,
	updated_at timestamptz NOT NULL,
	doc        jsonb NOT NULL
);

CREATE TABLE outbound (
	seq  bigserial PRIMARY KEY,
	chat text NOT NULL,
	doc  jsonb NOT NULL
);
CREATE INDEX outbound_chat ON outbound (chat, seq);

CREATE TABLE seen (
	ns text NOT NULL,
	id text NOT NULL,
	at timestamptz NOT NULL,
	PRIMARY KEY (ns, id)
);

CREATE TABLE state (
	bucket text NOT NULL,
	key    text NOT NULL,
	value  bytea NOT NULL,
	PRIMARY KEY (bucket, key)
);

CREATE TABLE users (
	name text PRIMARY KEY,
	doc  jsonb NOT NULL
);

CREATE TABLE views (
	seq bigserial PRIMARY KEY,
	at  timestamptz NOT NULL,
	doc jsonb NOT NULL
);
CREATE INDEX views_at ON views (at, seq);
