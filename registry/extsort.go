package registry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
)

// An import sorts its rows by NIK with an external merge sort, so that its memory does not grow
// with the source: rows are parsed into a bounded run (encoded records, row keys and name-index
// entries), a full run is sorted in memory and spilled to an unlinked temporary file in the data
// directory, and at the end the runs are merged straight into the registry file in key order. A
// source that fits in one run (up to about half a million rows) is never written to disk: its
// one run is merged from memory.

// runLimits bound one run. The parser fills one run while the previous one is sorted and
// written on the other core, so two runs' buffers and the radix sort's scratch copies are the
// import's working memory (about 170 MB); tests shrink them to force many runs.
type runLimits struct {
	arenaBytes int // encoded records
	rows       int
	names      int // name-index entries
}

var defaultRunLimits = runLimits{arenaBytes: 36 << 20, rows: 1 << 19, names: 3 << 19}

// testHookRuns, set by tests, is told how many record and name runs an import spilled.
var testHookRuns func(records, names int)

// bloomMaxBytes caps the Bloom filter: 12 bits a key up to about 85 million NIKs, fewer beyond
// (about 7.7 bits, 3–4 % false positives, for the national 139.5 million). Uncapped it would be
// 210 MB for the national registry, too much beside the runs' buffers within the memory bound.
const bloomMaxBytes = 128 << 20

// extSort is an import's sorting state beside parsed: the spilled runs and the current run's
// name-index entries.
type extSort struct {
	ctx       context.Context // the import's: the merge of a national registry takes minutes
	dir       string
	lim       runLimits
	runs      []runFile // record runs, in source order
	nameRuns  []runFile
	names     []nameRow // owned by the name worker until wait returns
	prevLimit int64     // the runtime's memory limit before the import

	// A full run is sorted and written by a goroutine (spillRun) while the parser fills the
	// next one: spilling holds its result, spare the buffers of the run before, free again.
	spilling chan error
	spare    runBufs
	rowsTmp  []row // radix sort scratch, kept from run to run; the spill's own
	namesTmp []nameRow

	validRows int // rows accepted, every run

	// Names are tokenised by a worker goroutine while the parser goes on: on two cores that
	// takes the name index almost entirely off the import's critical path.
	batch     []nameJob
	batchText []byte // the batch's names
	jobs      chan []nameJob
	inFlight  sync.WaitGroup
	queued    atomic.Int64 // name entries the worker has appended, for the run limit
	jobsSent  int          // names handed to the worker
	jobsDone  atomic.Int64 // names the worker has indexed
	started   bool
	last      struct {
		nik       uint64
		desa, kec int
		name      string
	}
	// the worker's own
	regions map[[2]int]uint64 // (desa id, kecamatan id) → region hash; 0: not indexable
	tokBuf  []byte
	toks    [][]byte
}

// nameJob is a row to index: the name, and its desa and kecamatan as ids and as text.
type nameJob struct {
	nik             uint64
	name, desa, kec string
	ids             [2]int
}

const nameJobBatch = 4096

// nameRow is one name-index entry: the hash of (kecamatan, desa, name token) and a NIK.
type nameRow struct{ key, nik uint64 }

// runBufs are one run's buffers.
type runBufs struct {
	rows  []row
	arena []byte
	names []nameRow
}

type runFile struct {
	f    *os.File
	size int64
}

// importMemoryLimit is the Go runtime's soft memory limit while an import runs (unless one lower
// is set): the working set is about 250 MB, and without a limit the collector lets garbage from
// CSV parsing grow the heap to twice that before it runs.
const importMemoryLimit = 400 << 20

func newExtSort(ctx context.Context, dir string) *extSort {
	e := &extSort{ctx: ctx, dir: dir, lim: defaultRunLimits, regions: make(map[[2]int]uint64)}
	e.prevLimit = debug.SetMemoryLimit(-1)
	if e.prevLimit > importMemoryLimit {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	return e
}

// close stops the name worker and releases the run files. They were unlinked when created, so a
// crash leaves nothing.
func (e *extSort) close() {
	if e.prevLimit > importMemoryLimit {
		debug.SetMemoryLimit(e.prevLimit)
		e.prevLimit = 0
	}
	if e.started {
		e.inFlight.Wait()
		close(e.jobs)
		e.started = false
	}
	_ = e.spillWait() // it appends to the run files
	for _, rf := range append(e.runs, e.nameRuns...) {
		_ = rf.f.Close()
	}
	e.runs, e.nameRuns = nil, nil
}

// initCap sizes the first run's buffers from the source size, capped at the run limits.
func (e *extSort) initCap(p *parsed, size int64) {
	if size <= 0 {
		return
	}
	rows := min(size/100+16, int64(e.lim.rows))
	p.rows = make([]row, 0, rows)
	p.arena = make([]byte, 0, min(size*6/10+1024, int64(e.lim.arenaBytes)+MaxRecordBytes))
	e.names = make([]nameRow, 0, min(rows*2, int64(e.lim.names)))
}

// rowAdded is called after each valid row is appended to p: it queues the row's name for the
// index and spills the run when it is full.
func (e *extSort) rowAdded(p *parsed, nik uint64, f *[numCols]string, desa, kec int) error {
	e.validRows++
	// Exports list a NIK's programs on consecutive rows with the same name: index it once.
	if f[colDesa] != "" && f[colKecamatan] != "" &&
		(e.last.nik != nik || e.last.desa != desa || e.last.kec != kec || e.last.name != f[colNama]) {
		// The fields live until the next record: the name is copied into the batch's text, the
		// regions are the interned copies.
		if e.batchText == nil {
			e.batchText = make([]byte, 0, nameJobBatch*24)
		}
		start := len(e.batchText)
		e.batchText = append(e.batchText, f[colNama]...)
		name := bytesView(e.batchText[start:])
		e.last.nik, e.last.desa, e.last.kec, e.last.name = nik, desa, kec, name
		e.batch = append(e.batch, nameJob{nik: nik, name: name, desa: p.strs[desa], kec: p.strs[kec], ids: [2]int{desa, kec}})
		if len(e.batch) == nameJobBatch {
			e.send()
		}
	}
	// The worker may be behind: count each name not yet indexed as three entries.
	names := int(e.queued.Load()) + (e.jobsSent+len(e.batch)-int(e.jobsDone.Load()))*3
	if len(p.arena) >= e.lim.arenaBytes || len(p.rows) >= e.lim.rows || names > e.lim.names {
		return e.spill(p)
	}
	return nil
}

func (e *extSort) send() {
	if !e.started {
		e.started = true
		e.jobs = make(chan []nameJob, 2)
		go e.nameWorker()
	}
	e.inFlight.Add(1)
	e.jobsSent += len(e.batch)
	e.jobs <- e.batch
	e.batch = make([]nameJob, 0, nameJobBatch)
	e.batchText = nil // the worker reads the sent batch's; never written again
}

// wait hands over the queued names and returns once the worker has indexed them all.
func (e *extSort) wait() {
	if len(e.batch) > 0 {
		e.send()
	}
	e.inFlight.Wait()
}

func (e *extSort) nameWorker() {
	for batch := range e.jobs {
		for i := range batch {
			e.addNames(&batch[i])
		}
		e.queued.Store(int64(len(e.names)))
		e.jobsDone.Add(int64(len(batch)))
		e.inFlight.Done()
	}
}

// maxNameTokens bounds the tokens indexed for one name.
const maxNameTokens = 12

func (e *extSort) addNames(j *nameJob) {
	rh, ok := e.regions[j.ids]
	if !ok {
		rh = regionHash(normRegion(j.kec), normRegion(j.desa))
		e.regions[j.ids] = rh
	}
	if rh == 0 {
		return
	}
	e.tokBuf, e.toks = canonTokens(j.name, e.tokBuf[:0], e.toks[:0])
	n := 0
	for i, t := range e.toks {
		if len(t) < 2 || slices.ContainsFunc(e.toks[:i], func(o []byte) bool { return bytes.Equal(o, t) }) {
			continue
		}
		if n++; n > maxNameTokens {
			break
		}
		e.names = append(e.names, nameRow{key: tokenHash(rh, t), nik: j.nik})
	}
}

func (e *extSort) tempFile() (*os.File, error) {
	f, err := os.CreateTemp(e.dir, tmpPrefix+"sort-*"+tmpSuffix)
	if err != nil {
		return nil, err
	}
	// Unlinked at once: the open file lives on until the import closes it, and an import killed
	// midway leaves nothing behind.
	_ = os.Remove(f.Name())
	return f, nil
}

// spill hands the current run to a goroutine that sorts it and writes it to two temporary
// files, records as key(8) uvarint(len) record and name entries as key(8) nik(8), and gives the
// parser the buffers of the run before (spilled by now, or it waits).
func (e *extSort) spill(p *parsed) error {
	e.wait() // the name worker is idle: e.names is this run's
	if err := e.spillWait(); err != nil {
		return err
	}
	run := runBufs{rows: p.rows, arena: p.arena, names: e.names}
	next := e.spare
	if next.rows == nil {
		// The second run: buffers as large as the first's, rather than grown by appends.
		next = runBufs{rows: make([]row, 0, cap(run.rows)), arena: make([]byte, 0, cap(run.arena)),
			names: make([]nameRow, 0, cap(run.names))}
	}
	p.rows, p.arena, e.names, e.spare = next.rows[:0], next.arena[:0], next.names[:0], runBufs{}
	e.queued.Store(0)
	done := make(chan error, 1)
	e.spilling = done
	go func() { done <- e.spillRun(run) }()
	return nil
}

// spillWait waits for the spill in flight, if any, and returns its error.
func (e *extSort) spillWait() error {
	if e.spilling == nil {
		return nil
	}
	err := <-e.spilling
	e.spilling = nil
	return err
}

// spillRun sorts and writes a run, then leaves its buffers in e.spare.
func (e *extSort) spillRun(run runBufs) error {
	rows, err := e.spillRecords(run.rows, run.arena)
	if err != nil {
		return err
	}
	names, err := e.spillNames(run.names)
	if err != nil {
		return err
	}
	e.spare = runBufs{rows: rows[:0], arena: run.arena[:0], names: names[:0]}
	return nil
}

// spillRecords writes the run's records sorted, and returns the slice they were sorted into.
func (e *extSort) spillRecords(unsorted []row, arena []byte) ([]row, error) {
	if len(unsorted) == 0 {
		return unsorted, nil
	}
	rows := sortRows(unsorted, e.rowsTmp)
	if &rows[0] != &unsorted[0] {
		e.rowsTmp = unsorted // the scratch of the next run's sort
	}
	rf, err := e.writeRun(func(w *bufio.Writer) error {
		var hdr [8 + binary.MaxVarintLen64]byte
		for _, rw := range rows {
			rec := rw.record(arena)
			binary.BigEndian.PutUint64(hdr[:], rw.key)
			n := binary.PutUvarint(hdr[8:], uint64(len(rec)))
			_, _ = w.Write(hdr[:8+n])
			if _, err := w.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.runs = append(e.runs, rf)
	return rows, nil
}

func (e *extSort) spillNames(unsorted []nameRow) ([]nameRow, error) {
	if len(unsorted) == 0 {
		return unsorted, nil
	}
	names := sortNames(unsorted, e.namesTmp)
	if &names[0] != &unsorted[0] {
		e.namesTmp = unsorted
	}
	rf, err := e.writeRun(func(w *bufio.Writer) error {
		var b [16]byte
		for _, n := range names {
			binary.BigEndian.PutUint64(b[:], n.key)
			binary.BigEndian.PutUint64(b[8:], n.nik)
			if _, err := w.Write(b[:]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.nameRuns = append(e.nameRuns, rf)
	return names, nil
}

func (e *extSort) writeRun(fill func(*bufio.Writer) error) (runFile, error) {
	f, err := e.tempFile()
	if err != nil {
		return runFile{}, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	var size int64
	if err == nil {
		size, err = f.Seek(0, io.SeekCurrent)
	}
	if err != nil {
		_ = f.Close()
		return runFile{}, err
	}
	return runFile{f: f, size: size}, nil
}

// sortNames sorts name entries by key, stably (source order among equal keys), with an LSD radix
// sort over the 48-bit key.
func sortNames(rows, tmp []nameRow) []nameRow {
	const bits, passes = 12, 4
	if len(rows) < 256 {
		slices.SortStableFunc(rows, func(a, b nameRow) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
		return rows
	}
	if cap(tmp) < len(rows) {
		tmp = make([]nameRow, len(rows))
	}
	src, dst := rows, tmp[:len(rows)]
	for pass := range passes {
		shift := uint(pass * bits)
		var count [1 << bits]int
		for _, r := range src {
			count[(r.key>>shift)&(1<<bits-1)]++
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, r := range src {
			d := (r.key >> shift) & (1<<bits - 1)
			dst[count[d]] = r
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}

// built is a parsed source ready to be written: its runs, and the metadata that write completes
// (duplicates, distinct NIKs) while merging.
type built struct {
	p    *parsed
	e    *extSort
	meta Meta
}

// build counts what is known before the merge. RowsImported is the valid rows here; write
// subtracts the duplicates.
func (p *parsed) build() *built {
	e := p.ext
	e.wait()
	b := &built{p: p, e: e, meta: Meta{PerProgram: make(map[string]int, len(p.perProg))}}
	for id, n := range p.perProg {
		if n > 0 {
			b.meta.PerProgram[p.strs[id]] = n
		}
	}
	b.meta.RowsRead = p.rowsRead
	b.meta.RowsImported = e.validRows
	b.meta.RowsRefused = len(p.bad) + p.badMore
	return b
}

// bloomBytes is the size of the Bloom filter for keys keys, capped at bloomMaxBytes.
func bloomBytes(keys int) int {
	blocks := (keys*bloomBitsPerKey + bloomBlock*8 - 1) / (bloomBlock * 8)
	return min(max(blocks, 1)*bloomBlock, bloomMaxBytes)
}

func (b *built) write(path string) error {
	e, p := b.e, b.p
	// A source in several runs is merged from disk only: the last run goes to disk too, so the
	// merge runs with the parse buffers freed.
	if err := e.spillWait(); err != nil {
		return err
	}
	if len(e.runs) > 0 {
		if err := e.spill(p); err != nil {
			return err
		}
		if err := e.spillWait(); err != nil {
			return err
		}
		p.rows, p.arena, e.names, e.rowsTmp, e.namesTmp, e.spare = nil, nil, nil, nil, nil, runBufs{}
		// Hand the parse buffers back now: left to the collector's pace, they and the merge's
		// first allocations would add up to twice the working memory for a moment.
		debug.FreeOSMemory()
	}
	// The file is written directly in bbolt's format (boltwrite.go), without a sync until the
	// end: it is renamed into place only once complete, so a crash leaves a temporary file.
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bf := newBoltFile(f, pageSize)
	err = b.fill(bf)
	if werr := bf.wait(); werr != nil && (err == nil || errors.Is(err, errWriterFailed)) {
		err = werr // the cause, rather than the trees' "failed"
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

var errStopped = errors.New("registry: import stopped")

// stopCheck is how many keys a tree writer adds between looks at the import's context.
const stopCheck = 1 << 14

func (b *built) fill(bf *boltFile) error {
	e, p := b.e, b.p
	if testHookRuns != nil {
		testHookRuns(len(e.runs), len(e.nameRuns))
	}
	recs, err := e.recordCursors(p)
	if err != nil {
		return err
	}
	// The name index and the Bloom filter are built on the other core while this one writes the
	// NIK bucket: two trees into the same file at once.
	var stop atomic.Bool
	nameRoot := make(chan nameResult, 1)
	go func() {
		var r nameResult
		r.root, r.err = b.writeNames(bf.tree(), &stop)
		nameRoot <- r
	}()
	defer func() {
		if nameRoot != nil {
			stop.Store(true)
			<-nameRoot // it reads the run files, which close after this
		}
	}()
	filter := make(bloom, bloomBytes(e.validRows))
	bf2 := fillBloom(filter)
	defer bf2.finish()

	nikT := bf.tree()
	var (
		group    [][]byte // records of the current NIK, deduplicated
		groupKey uint64
		groupBuf []byte // copies of the group's records: a cursor's record dies when it advances
		val      []byte
		key      [8]byte
	)
	flushGroup := func() error {
		if len(group) == 0 {
			return nil
		}
		bf2.add(groupKey)
		if b.meta.DistinctNIKs++; b.meta.DistinctNIKs%stopCheck == 0 {
			if err := e.ctx.Err(); err != nil {
				return err
			}
		}
		val = val[:0]
		for _, r := range group {
			val = append(val, r...)
		}
		binary.BigEndian.PutUint64(key[:], groupKey)
		return nikT.put(key[:], val, false)
	}
	err = mergeRecords(recs, func(key uint64, rec []byte, first bool) error {
		if first {
			if err := flushGroup(); err != nil {
				return err
			}
			group, groupBuf, groupKey = group[:0], groupBuf[:0], key
		} else {
			pp := progPeriodOf(rec)
			for _, o := range group {
				if bytes.Equal(progPeriodOf(o), pp) {
					b.meta.Duplicates++
					tag, _ := uvarint(pp)
					b.meta.PerProgram[p.strs[tag>>1]]--
					return nil
				}
			}
		}
		start := len(groupBuf)
		groupBuf = append(groupBuf, rec...)
		group = append(group, groupBuf[start:len(groupBuf):len(groupBuf)])
		return nil
	})
	if err == nil {
		err = flushGroup()
	}
	var nikRoot uint64
	if err == nil {
		nikRoot, err = nikT.finish()
	}
	if err == nil {
		err = e.ctx.Err()
	}
	if err != nil {
		return err
	}
	nr := <-nameRoot
	nameRoot = nil
	if nr.err != nil {
		return nr.err
	}
	bf2.finish()

	b.meta.RowsImported -= b.meta.Duplicates
	for name, n := range b.meta.PerProgram {
		if n == 0 {
			delete(b.meta.PerProgram, name)
		}
	}
	dict := p.strs[:min(len(p.strs), dictMax)]
	metaJSON, err := json.Marshal(b.meta)
	if err != nil {
		return err
	}
	// Keys in order: bloom, dict, format, meta; then the root bucket's meta, name, nik.
	mt := bf.tree()
	for _, kv := range [...]struct {
		k string
		v []byte
	}{{keyBloom, filter}, {keyDict, encodeDict(dict)}, {keyFormat, []byte(formatVersion)}, {keyMeta, metaJSON}} {
		if err := mt.put([]byte(kv.k), kv.v, false); err != nil {
			return err
		}
	}
	metaRoot, err := mt.finish()
	if err != nil {
		return err
	}
	rt := bf.tree()
	for _, bk := range [...]struct {
		name string
		root uint64
	}{{bucketMeta, metaRoot}, {bucketName, nr.root}, {bucketNIK, nikRoot}} {
		if err := rt.put([]byte(bk.name), bucketValue(bk.root), true); err != nil {
			return err
		}
	}
	root, err := rt.finish()
	if err != nil {
		return err
	}
	return bf.writeMeta(root)
}

type nameResult struct {
	root uint64
	err  error
}

// bloomFeed fills a Bloom filter in a goroutine: each add is a cache miss in a filter of 15 MB
// at ten million NIKs, a tenth of the merge when done inline.
type bloomFeed struct {
	ch   chan []uint64
	done chan struct{}
	buf  []uint64
	open bool
}

func fillBloom(f bloom) *bloomFeed {
	bf := &bloomFeed{ch: make(chan []uint64, 4), done: make(chan struct{}), open: true}
	go func() {
		defer close(bf.done)
		for keys := range bf.ch {
			for _, k := range keys {
				f.add(k)
			}
		}
	}()
	return bf
}

func (bf *bloomFeed) add(k uint64) {
	if bf.buf = append(bf.buf, k); len(bf.buf) == 8192 {
		bf.ch <- bf.buf
		bf.buf = make([]uint64, 0, 8192)
	}
}

// finish waits until every key is in the filter. It may be called more than once.
func (bf *bloomFeed) finish() {
	if !bf.open {
		return
	}
	bf.open = false
	if len(bf.buf) > 0 {
		bf.ch <- bf.buf
	}
	close(bf.ch)
	<-bf.done
}

// writeNames merges the name runs into the name index, tree t, and returns its root page: one
// key per (kecamatan, desa, token) hash, whose value is the posting list of its NIKs, sorted and
// delta-encoded. It stops with errStopped once stop is set.
func (b *built) writeNames(t *boltTree, stop *atomic.Bool) (uint64, error) {
	curs, err := b.e.nameCursors()
	if err != nil {
		return 0, err
	}
	var (
		niks    []uint64
		val     []byte
		haveKey bool
		curKey  uint64
		key     [8]byte
		n       int
	)
	add := func() error {
		if !slices.IsSorted(niks) {
			slices.Sort(niks)
		}
		niks = slices.Compact(niks)
		val = encodePosting(val[:0], niks)
		if n++; n%stopCheck == 0 && stop.Load() {
			return errStopped
		}
		binary.BigEndian.PutUint64(key[:], curKey)
		return t.put(key[:], val, false)
	}
	err = mergeNames(curs, func(nr nameRow) error {
		if haveKey && nr.key != curKey {
			if err := add(); err != nil {
				return err
			}
			niks = niks[:0]
		}
		haveKey, curKey = true, nr.key
		niks = append(niks, nr.nik)
		return nil
	})
	if err == nil && haveKey {
		err = add()
	}
	if err != nil {
		return 0, err
	}
	return t.finish()
}

// encodePosting appends a uvarint count, then the first NIK and the gaps between sorted NIKs as
// uvarints: NIKs of one desa share their first digits, so a gap takes 3–5 bytes.
func encodePosting(dst []byte, niks []uint64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(niks)))
	prev := uint64(0)
	for _, n := range niks {
		dst = binary.AppendUvarint(dst, n-prev)
		prev = n
	}
	return dst
}

func decodePosting(dst []uint64, v []byte) ([]uint64, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || n > uint64(len(v)) {
		return dst, errCorrupt
	}
	v = v[k:]
	prev := uint64(0)
	for range n {
		d, k := uvarint(v)
		if k <= 0 {
			return dst, errCorrupt
		}
		v = v[k:]
		prev += d
		dst = append(dst, prev)
	}
	return dst, nil
}

// progPeriodOf returns the encoded program and period fields of a record: the same value always
// encodes the same way, so equal bytes mean equal fields.
func progPeriodOf(a []byte) []byte {
	n := 0
	for range 2 {
		tag, k := uvarint(a[n:])
		n += k
		if tag&1 == 1 {
			n += int(tag >> 1)
		}
	}
	return a[:n]
}

// recCursor walks one sorted run of records, from a spilled file or from memory.
type recCursor struct {
	key uint64
	rec []byte
	idx int // run number: ties go to the earlier run, which keeps source order within a NIK

	br      *bufio.Reader
	pending int

	rows  []row
	arena []byte
	i     int
}

var errRunCorrupt = errors.New("registry: import run file corrupt")

// next advances to the next record; false at the end of the run.
func (c *recCursor) next() (bool, error) {
	if c.br == nil {
		if c.i >= len(c.rows) {
			return false, nil
		}
		c.key, c.rec = c.rows[c.i].key, c.rows[c.i].record(c.arena)
		c.i++
		return true, nil
	}
	if _, err := c.br.Discard(c.pending); err != nil {
		return false, err
	}
	c.pending = 0
	var hdr [8]byte
	if _, err := io.ReadFull(c.br, hdr[:]); err == io.EOF {
		return false, nil
	} else if err != nil {
		return false, err
	}
	c.key = binary.BigEndian.Uint64(hdr[:])
	l, err := binary.ReadUvarint(c.br)
	if err != nil || l > uint64(c.br.Size()) {
		return false, errRunCorrupt
	}
	c.rec, err = c.br.Peek(int(l))
	if err != nil {
		return false, err
	}
	c.pending = int(l)
	return true, nil
}

// runReadBuf is a record run's read buffer in the merge: 256 KiB, less when there are so many
// runs (about 280 for the national registry) that together they would pass mergeReadBudget. A
// record is read whole from the buffer, so it never goes below MaxRecordBytes plus a header.
const (
	runReadBuf      = 256 << 10
	mergeReadBudget = 32 << 20
)

func runReadBufSize(runs int) int {
	return max(min(runReadBuf, mergeReadBudget/max(runs, 1)), MaxRecordBytes+2*binary.MaxVarintLen64+8)
}

func (e *extSort) recordCursors(p *parsed) ([]*recCursor, error) {
	if len(e.runs) == 0 {
		return []*recCursor{{rows: sortRows(p.rows, nil), arena: p.arena}}, nil
	}
	var out []*recCursor
	size := runReadBufSize(len(e.runs))
	for i, rf := range e.runs {
		out = append(out, &recCursor{idx: i, br: bufio.NewReaderSize(io.NewSectionReader(rf.f, 0, rf.size), size)})
	}
	return out, nil
}

// mergeRecords calls fn for every record of the cursors in (key, run, position) order; first is
// true for the first record of a key.
func mergeRecords(curs []*recCursor, fn func(key uint64, rec []byte, first bool) error) error {
	less := func(a, b *recCursor) bool { return a.key < b.key || a.key == b.key && a.idx < b.idx }
	h := make([]*recCursor, 0, len(curs))
	for _, c := range curs {
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	heapInit(h, less)
	prev, started := uint64(0), false
	for len(h) > 0 {
		c := h[0]
		first := !started || c.key != prev
		if first && started && c.key < prev {
			return errRunCorrupt
		}
		started, prev = true, c.key
		if err := fn(c.key, c.rec, first); err != nil {
			return err
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		heapDown(h, 0, less)
	}
	return nil
}

// nameCursor walks one sorted run of name entries.
type nameCursor struct {
	cur  nameRow
	br   *bufio.Reader
	mem  []nameRow
	i    int
	file bool
}

func (c *nameCursor) next() (bool, error) {
	if !c.file {
		if c.i >= len(c.mem) {
			return false, nil
		}
		c.cur = c.mem[c.i]
		c.i++
		return true, nil
	}
	var b [16]byte
	if _, err := io.ReadFull(c.br, b[:]); err == io.EOF {
		return false, nil
	} else if err != nil {
		return false, err
	}
	c.cur = nameRow{key: binary.BigEndian.Uint64(b[:]), nik: binary.BigEndian.Uint64(b[8:])}
	return true, nil
}

func (e *extSort) nameCursors() ([]*nameCursor, error) {
	if len(e.nameRuns) == 0 {
		return []*nameCursor{{mem: sortNames(e.names, nil)}}, nil
	}
	var out []*nameCursor
	for _, rf := range e.nameRuns {
		out = append(out, &nameCursor{file: true, br: bufio.NewReaderSize(io.NewSectionReader(rf.f, 0, rf.size), 64<<10)})
	}
	return out, nil
}

func mergeNames(curs []*nameCursor, fn func(nameRow) error) error {
	// Ties by NIK: a key's NIKs then come out sorted whenever each run lists them in order
	// (an export sorted by NIK), and need no sort.
	less := func(a, b *nameCursor) bool {
		return a.cur.key < b.cur.key || a.cur.key == b.cur.key && a.cur.nik < b.cur.nik
	}
	h := make([]*nameCursor, 0, len(curs))
	for _, c := range curs {
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, c)
		}
	}
	heapInit(h, less)
	for len(h) > 0 {
		c := h[0]
		if err := fn(c.cur); err != nil {
			return err
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		heapDown(h, 0, less)
	}
	return nil
}

// heapInit and heapDown are container/heap without its interface calls, which cost more than
// the comparison on the merge's hot path.
func heapInit[T any](h []T, less func(a, b T) bool) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		heapDown(h, i, less)
	}
}

func heapDown[T any](h []T, i int, less func(a, b T) bool) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		j := l
		if r := l + 1; r < len(h) && less(h[r], h[l]) {
			j = r
		}
		if !less(h[j], h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
