// Package storage is the domain of what the bot must not lose: reports and sanggah with their
// checked lifecycle and audit log, dialogue sessions by chat, processed-update markers, the
// durable outbound queue, channel state, the lookup budget and dashboard accounts; their
// errors; and the interfaces a backend implements (Store, Tx). It imports no database:
// storage/bolt is the bbolt backend, and storage/storetest the contract every backend passes.
//
// # Privacy
//
// A NIK is a field of a report; no backend puts it in an error message or a log line, and the
// audit log names reports by number only.
package storage
