package flows

import "github.com/laporbansos/laporbansos/storage"

// stagePhoto lets a store that keeps photos as files (storage.PhotoStager: bbolt) write a
// citizen's photo before the step's transaction: a 10 MB write and fsync inside the store's
// single writer would hold up every other chat. The step's PutPhoto of the same bytes then only
// links it. The returned function undoes the staging once the step is over, whatever it did.
// A store that keeps photos in its own transaction (PostgreSQL) stages nothing.
func (e *Engine) stagePhoto(m *Message) (unstage func()) {
	p := m.Photo
	st, ok := e.Store.(storage.PhotoStager)
	if !ok || p == nil || !e.Photos || m.StaffChat || len(p.Data) == 0 || len(p.Data) > MaxPhotoBytes {
		return func() {}
	}
	return st.StagePhoto(p.Data)
}
