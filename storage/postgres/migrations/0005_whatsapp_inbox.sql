-- The WhatsApp channel's inbox: each incoming message recorded before whatsmeow acknowledges
-- it (WhatsApp never delivers an acked message again) and deleted once handled, so a message the
-- leader acked but did not handle before it died is handled by the next leader. The key is
-- "chat/message id", compared bytewise as the bbolt file's keys are.
CREATE TABLE whatsapp_inbox (
	key         text COLLATE "C" PRIMARY KEY,
	record      bytea NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now()
);
