package storage

// PurgedActorID replaces a citizen's chat id in the history and the audit log of a purged
// report: on WhatsApp that id is the citizen's phone number.
const PurgedActorID = "dihapus"

// PurgeResult says what a retention purge removed (or, dry, would remove).
type PurgeResult struct {
	Reports  []string // numbers of the reports whose personal data went
	Sessions int      // dialogue sessions idle since before the cutoff
	Photos   []string // files removed from the photo directory
}
