package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PurgedActorID replaces a citizen's chat id in the history and the audit log of a purged
// report: on WhatsApp that id is the citizen's phone number.
const PurgedActorID = "dihapus"

// PurgeResult says what a retention purge removed (or, dry, would remove).
type PurgeResult struct {
	Reports  []string // numbers of the reports whose personal data went
	Sessions int      // dialogue sessions idle since before the cutoff
	// Photos are the purged reports' photos: files removed from the bbolt store's photo
	// directory, or names removed from the PostgreSQL photos table.
	Photos []string
}

// ScrubPersonalData removes a report's personal data in place.
func ScrubPersonalData(r *Report, now time.Time) {
	r.NIK, r.Name, r.Address, r.Desa = "", "", "", ""
	r.ReasonText, r.Phone, r.ReporterName, r.Relation = "", "", "", ""
	r.NoNIKNote = ""
	r.From.ID = ""
	r.When, r.Involved, r.Location, r.Photos = "", "", "", nil
	for i := range r.History {
		if r.History[i].By.Name == CitizenActorName {
			r.History[i].By.ID = PurgedActorID
		}
	}
	r.PurgedAt = now
}

// ReportPhotos lists the files in dir whose names start with one of the report numbers
// ("LB-2611-0042-1.jpg", "LB-2611-0042.jpg"); a missing dir has none.
func ReportPhotos(dir string, ids []string) ([]string, error) {
	if dir == "" || len(ids) == 0 {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: photo directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		for _, id := range ids {
			// "LB-2611-1000" must not take "LB-2611-10000"'s photos.
			if rest, ok := strings.CutPrefix(e.Name(), id); ok && (rest == "" || rest[0] < '0' || rest[0] > '9') {
				out = append(out, filepath.Join(dir, e.Name()))
				break
			}
		}
	}
	return out, nil
}

// PurgeStore runs Tx.Purge in one transaction of s at the transaction's time minus retention
// (read-only when dry) and then removes the purged reports' photo files from photoDir ("" when
// the store keeps its photos in its own transaction, as PostgreSQL's Tx.Purge does). Each
// backend's Purge is this.
func PurgeStore(ctx context.Context, s interface {
	Update(ctx context.Context, fn func(tx Tx) error) error
	View(ctx context.Context, fn func(tx Tx) error) error
}, retention time.Duration, photoDir string, dry bool) (PurgeResult, error) {
	if retention <= 0 {
		return PurgeResult{}, fmt.Errorf("%w: retention %s", ErrInvalid, retention)
	}
	var res PurgeResult
	fn := func(tx Tx) error {
		var err error
		res, err = tx.Purge(tx.Now().Add(-retention), dry)
		return err
	}
	var err error
	if dry {
		err = s.View(ctx, fn)
	} else {
		err = s.Update(ctx, fn)
	}
	if err != nil {
		return res, err
	}
	photos, err := ReportPhotos(photoDir, res.Reports)
	if err != nil {
		return res, err
	}
	res.Photos = append(res.Photos, photos...)
	if dry {
		return res, nil
	}
	for _, p := range photos {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return res, fmt.Errorf("storage: remove photo: %w", err)
		}
	}
	return res, nil
}
