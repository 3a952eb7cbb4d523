package registry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"os"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// An import writes the registry file itself, page by page, in bbolt's on-disk format (version 2,
// the only one bbolt has ever had), instead of inserting through bbolt: keys arrive sorted, so
// each B+tree is built bottom-up in one pass, leaves full, with no cursor search, no node copies
// and no transaction commits. Through bbolt that was two thirds of the time of a 10 M-row import
// on one core; written directly it is the cost of copying the bytes. The file is read by bbolt,
// unchanged; TestBoltWriterMatchesBolt checks page for page what bbolt makes of it, and tx.Check
// passes.
//
// Layout, as bbolt (internal/common) defines it, in the machine's byte order:
//
//	page:    id u64, flags u16, count u16, overflow u32 (further pages of this node), elements
//	leaf:    flags u32 (1: a bucket), pos u32 (from the element to its key), ksize u32, vsize u32
//	branch:  pos u32, ksize u32, child page id u64; the key is the child's first key
//	meta:    magic u32, version u32, page size u32, flags u32, root bucket (root page u64,
//	         sequence u64), freelist page u64, high water mark u64, txid u64, FNV-1a of all that
//
// A bucket's value in its parent is its root page id and a sequence, 16 bytes. Pages 0 and 1 are
// the meta pages, written last; the file has no freelist page (as with bbolt's NoFreelistSync),
// which read-only opens never need and read-write opens rebuild.

const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltPageHeader   = 16
	boltElemSize     = 16 // leaf and branch elements alike
	boltBranchFlag   = 0x01
	boltLeafFlag     = 0x02
	boltMetaFlag     = 0x04
	boltBucketLeaf   = 0x01
	boltNoFreelist   = ^uint64(0)
	boltMetaSumBytes = 56 // the meta fields the checksum covers
)

var ne = binary.NativeEndian

// boltFile hands out page ids of a file being written by one or more trees at once, and writes
// their full chunks in a goroutine of its own: the kernel's copy into the page cache is a third
// of the cost of writing the file, and runs beside the building of the next chunk.
type boltFile struct {
	f        *os.File
	pageSize int
	next     atomic.Uint64 // the next free page id: the high water mark

	writes chan chunkWrite
	done   chan struct{}
	werr   error       // the writer's first error; read after done
	failed atomic.Bool // werr is set: the trees stop at their next chunk
	closed bool
}

// errWriterFailed stops a tree whose file's writer failed; wait returns the writer's error.
var errWriterFailed = errors.New("registry: writing the file failed")

type chunkWrite struct {
	b    []byte
	off  int64
	free chan []byte // where the buffer goes back once written
}

func newBoltFile(f *os.File, pageSize int) *boltFile {
	bf := &boltFile{f: f, pageSize: pageSize, writes: make(chan chunkWrite, 8), done: make(chan struct{})}
	bf.next.Store(2) // after the two meta pages
	go func() {
		defer close(bf.done)
		for w := range bf.writes {
			if bf.werr == nil {
				if _, bf.werr = bf.f.WriteAt(w.b, w.off); bf.werr != nil {
					bf.failed.Store(true)
				}
			}
			w.free <- w.b[:cap(w.b)]
		}
	}()
	return bf
}

// wait returns once every chunk handed to the writer is written, with its first error. The
// trees must be finished (or abandoned); it may be called more than once.
func (bf *boltFile) wait() error {
	if !bf.closed {
		bf.closed = true
		close(bf.writes)
	}
	<-bf.done
	return bf.werr
}

func (bf *boltFile) reserve(pages int) uint64 { return bf.next.Add(uint64(pages)) - uint64(pages) }

// chunkPages is how many pages a tree reserves and fills in memory before one write: 256 KiB a
// system call. A chunk a tree leaves partly used when it finishes (the name index, written beside
// the NIK bucket) is free space to bbolt, as unused pages of any bbolt file are.
const chunkPages = 256

// boltTree writes one bucket's B+tree: keys must be added in strictly increasing order. One
// goroutine per tree; several trees may write the same file at once.
type boltTree struct {
	bf *boltFile
	// Leaves and branch pages fill chunks of their own: a lookup goes through a branch page of
	// each level, and 256 of them side by side in the file share memory-map pages (and TLB
	// entries). With a branch page after every 42 leaves, hits at 10 M rows took 13 % longer
	// than in the file bbolt itself wrote; grouped, they are on par.
	leaves, branches pageStream
	levels           []*treeLevel
	last             []byte // the previous key, to refuse unsorted input rather than write a broken tree
	hdr              []byte // scratch for a node written straight from its value
	err              error
	free             chan []byte // chunk buffers back from the writer
	nbufs            int
}

// pageStream is a chunk of reserved pages being filled, written when full.
type pageStream struct {
	chunk []byte
	base  uint64 // page id of chunk[0]
	used  int    // pages of chunk filled
}

// chunkBufs is how many chunk buffers a tree has: one per stream being filled, the others being
// written.
const chunkBufs = 4

// treeLevel is the node being filled at one level of the tree: 0 is the leaves.
type treeLevel struct {
	node
	nodes int // nodes written at this level
	// held is, at a branch level, the last full node, written only once the next one is known
	// to be full too or at finish: a branch level's last node may then take its lone element,
	// since a branch page of one child (not the root) is valid to read but makes bbolt's
	// rebalance fail an assertion when that file is later changed read-write.
	held node
}

// node is the elements of one tree node and their keys and values.
type node struct {
	elems []treeElem
	data  []byte // keys and values, in element order
}

// firstKey is the node's first key, its element in the parent.
func (n *node) firstKey() []byte { return n.data[:n.elems[0].ksize] }

func (n *node) reset() { n.elems, n.data = n.elems[:0], n.data[:0] }

type treeElem struct {
	ksize, vsize uint32
	flags        uint32 // leaf: bucket or not
	child        uint64 // branch: page id
}

func (bf *boltFile) tree() *boltTree { return &boltTree{bf: bf, free: make(chan []byte, chunkBufs)} }

var errUnsorted = errors.New("registry: keys out of order while writing the file")

var errTooLarge = errors.New("registry: a key or value over bbolt's limits while writing the file")

// maxLevels bounds the tree's height: with two or more elements a node, 2^64 keys need fewer.
// It is a guard against a writer bug growing the file without end, never reached by a tree.
const maxLevels = 64

var errTooDeep = errors.New("registry: the file's tree would exceed 64 levels (a bug in the writer)")

// put adds a key and its value; bucket marks the value as a sub-bucket header.
func (t *boltTree) put(key, val []byte, bucket bool) error {
	if t.err != nil {
		return t.err
	}
	if len(key) == 0 || t.last != nil && bytes.Compare(key, t.last) <= 0 {
		t.err = errUnsorted
		return t.err
	}
	if len(key) > bolt.MaxKeySize || len(val) > bolt.MaxValueSize {
		t.err = errTooLarge // bbolt would read it, but refuse to write it back
		return t.err
	}
	t.last = append(t.last[:0], key...)
	var flags uint32
	if bucket {
		flags = boltBucketLeaf
	}
	if boltPageHeader+boltElemSize+len(key)+len(val) > t.bf.pageSize {
		// A node of its own over several pages, written from val without a copy: posting lists
		// of common name words, and the Bloom filter (up to 128 MB).
		t.flushNode(0)
		t.writeSolo(key, val, flags)
		return t.err
	}
	t.add(0, key, val, flags, 0)
	return t.err
}

func (t *boltTree) level(i int) *treeLevel {
	for len(t.levels) <= i {
		t.levels = append(t.levels, &treeLevel{})
	}
	return t.levels[i]
}

// minKeysPerNode is bbolt's minKeysPerPage: a node holds at least two elements, spanning pages
// when they are long, so that every level has at most half the nodes of the one below and the
// tree ends in one root whatever the key length (with one key a node, keys longer than half a
// page would add levels without end).
const minKeysPerNode = 2

// add appends an element to the node of level i, writing that node first if it is full.
func (t *boltTree) add(i int, key, val []byte, flags uint32, child uint64) {
	l := t.level(i)
	if n := len(l.elems); n == 0xffff || n >= minKeysPerNode &&
		boltPageHeader+(n+1)*boltElemSize+len(l.data)+len(key)+len(val) > t.bf.pageSize {
		t.flushNode(i)
	}
	l.elems = append(l.elems, treeElem{ksize: uint32(len(key)), vsize: uint32(len(val)), flags: flags, child: child})
	l.data = append(append(l.data, key...), val...)
}

// flushNode ends the node being filled at level i, if it has elements: a leaf is written and
// added to its parent at once; a full branch node becomes the held one, the one held before it
// being written.
func (t *boltTree) flushNode(i int) {
	l := t.level(i)
	if len(l.elems) == 0 {
		return
	}
	if i == 0 {
		t.emit(i, &l.node)
		return
	}
	if len(l.held.elems) > 0 {
		t.emit(i, &l.held)
	}
	l.held, l.node = l.node, l.held // the emptied buffers are the next node's
}

// emit writes node n of level i, adds it to the parent level and empties it.
func (t *boltTree) emit(i int, n *node) {
	id := t.writeNode(n, i == 0)
	t.level(i).nodes++
	t.add(i+1, n.firstKey(), nil, 0, id)
	n.reset()
}

// writeNode lays a node out in the pages reserved for it and returns its page id.
func (t *boltTree) writeNode(l *node, leaf bool) uint64 {
	size := boltPageHeader + len(l.elems)*boltElemSize + len(l.data)
	pages := (size + t.bf.pageSize - 1) / t.bf.pageSize
	st := &t.branches
	flags := uint16(boltBranchFlag)
	if leaf {
		st, flags = &t.leaves, boltLeafFlag
	}
	id, buf, direct := t.alloc(st, pages)
	putPageHeader(buf, id, flags, len(l.elems), pages)
	off := boltPageHeader + len(l.elems)*boltElemSize
	for j, e := range l.elems {
		el := buf[boltPageHeader+j*boltElemSize:]
		pos := uint32(off - (boltPageHeader + j*boltElemSize))
		if leaf {
			ne.PutUint32(el[0:], e.flags)
			ne.PutUint32(el[4:], pos)
			ne.PutUint32(el[8:], e.ksize)
			ne.PutUint32(el[12:], e.vsize)
		} else {
			ne.PutUint32(el[0:], pos)
			ne.PutUint32(el[4:], e.ksize)
			ne.PutUint64(el[8:], e.child)
		}
		off += int(e.ksize + e.vsize)
	}
	copy(buf[boltPageHeader+len(l.elems)*boltElemSize:], l.data)
	clear(buf[size:])
	if direct {
		t.writeAt(buf, id)
	}
	return id
}

func putPageHeader(b []byte, id uint64, flags uint16, count, pages int) {
	ne.PutUint64(b[0:], id)
	ne.PutUint16(b[8:], flags)
	ne.PutUint16(b[10:], uint16(count))
	ne.PutUint32(b[12:], uint32(pages-1))
}

// writeSolo writes a leaf of one element whose value spans pages, the value straight from val.
func (t *boltTree) writeSolo(key, val []byte, flags uint32) {
	size := boltPageHeader + boltElemSize + len(key) + len(val)
	pages := (size + t.bf.pageSize - 1) / t.bf.pageSize
	id := t.bf.reserve(pages)
	h := append(t.hdr[:0], make([]byte, boltPageHeader+boltElemSize)...)
	putPageHeader(h, id, boltLeafFlag, 1, pages)
	ne.PutUint32(h[16:], flags)
	ne.PutUint32(h[20:], boltElemSize) // the key follows the element
	ne.PutUint32(h[24:], uint32(len(key)))
	ne.PutUint32(h[28:], uint32(len(val)))
	h = append(h, key...)
	t.hdr = h
	t.writeAt(h, id)
	if t.err == nil {
		_, t.err = t.bf.f.WriteAt(val, int64(id)*int64(t.bf.pageSize)+int64(len(h)))
	}
	// The rest of the last page stays as the file has it: zeros, since no other node uses it.
	l := t.level(0)
	l.nodes++
	t.add(1, key, nil, 0, id)
}

// alloc returns the page id and the memory for a node of pages pages: in the current chunk
// when it fits, else reserved alone and written directly (direct) by the caller.
func (t *boltTree) alloc(st *pageStream, pages int) (id uint64, buf []byte, direct bool) {
	ps := t.bf.pageSize
	if pages > chunkPages {
		return t.bf.reserve(pages), make([]byte, pages*ps), true
	}
	if st.chunk == nil || st.used+pages > chunkPages {
		if st.chunk != nil && st.used+pages > chunkPages && st.used < chunkPages {
			// Rather than leave the chunk's last pages unused, give this node pages of its
			// own: it spans several, which is rare.
			return t.bf.reserve(pages), make([]byte, pages*ps), true
		}
		t.writeChunk(st)
		if t.nbufs < chunkBufs {
			t.nbufs++
			st.chunk = make([]byte, chunkPages*ps)
		} else {
			st.chunk = <-t.free
		}
		st.base, st.used = t.bf.reserve(chunkPages), 0
	}
	id = st.base + uint64(st.used)
	buf = st.chunk[st.used*ps : (st.used+pages)*ps]
	st.used += pages
	return id, buf, false
}

// writeChunk hands the stream's used pages to the file's writer.
func (t *boltTree) writeChunk(st *pageStream) {
	if t.bf.failed.Load() && t.err == nil {
		t.err = errWriterFailed
	}
	if st.chunk != nil && st.used > 0 {
		ps := int64(t.bf.pageSize)
		t.bf.writes <- chunkWrite{b: st.chunk[:int64(st.used)*ps], off: int64(st.base) * ps, free: t.free}
		st.chunk = nil
	}
}

func (t *boltTree) writeAt(b []byte, id uint64) {
	if t.err == nil {
		_, t.err = t.bf.f.WriteAt(b, int64(id)*int64(t.bf.pageSize))
	}
}

// finish writes the nodes still open and returns the root page id. A tree without keys is one
// empty leaf.
func (t *boltTree) finish() (uint64, error) {
	if t.err != nil {
		return 0, t.err
	}
	var root uint64
	if len(t.levels) == 0 || len(t.levels[0].elems) == 0 && t.levels[0].nodes == 0 {
		root = t.writeNode(&t.level(0).node, true)
	} else {
		for i := 0; ; i++ {
			if i >= maxLevels {
				return 0, errTooDeep
			}
			l := t.levels[i]
			if len(l.held.elems) > 0 && len(l.elems) == 1 {
				l.held.takeLast(&l.node) // no branch node of one child
			}
			open := l.node
			if len(l.held.elems) > 0 {
				if len(l.elems) > 0 {
					open = node{} // two nodes left: neither is the root
				} else {
					open = l.held
				}
			}
			if l.nodes == 0 && len(open.elems) > 0 {
				root = t.writeNode(&open, i == 0) // the only node of the top level
				break
			}
			if len(l.held.elems) > 0 {
				t.emit(i, &l.held)
			}
			if len(l.elems) > 0 {
				t.emit(i, &l.node)
			}
		}
	}
	streams := [...]*pageStream{&t.leaves, &t.branches}
	if t.branches.base > t.leaves.base {
		streams[0], streams[1] = streams[1], streams[0]
	}
	for _, st := range streams[:] {
		// The chunk reserved last first: hand back its unused pages if nothing was reserved
		// after it.
		if st.chunk != nil && st.used < chunkPages {
			t.bf.next.CompareAndSwap(st.base+chunkPages, st.base+uint64(st.used))
		}
	}
	for _, st := range streams {
		t.writeChunk(st)
	}
	t.levels = nil
	return root, t.err
}

// takeLast moves the lone element of next into n, the node before it at the same level: n then
// spans more pages, as bbolt's nodes may. When n already holds as many elements as a page
// header can count, n's last element moves to next instead, and both keep two or more.
func (n *node) takeLast(next *node) {
	if len(n.elems) < 0xffff {
		n.elems = append(n.elems, next.elems[0])
		n.data = append(n.data, next.data...)
		next.reset()
		return
	}
	last := n.elems[len(n.elems)-1]
	cut := len(n.data) - int(last.ksize+last.vsize)
	next.elems = append([]treeElem{last}, next.elems...)
	next.data = append(append([]byte(nil), n.data[cut:]...), next.data...)
	n.elems, n.data = n.elems[:len(n.elems)-1], n.data[:cut]
}

// bucketValue is a sub-bucket's value in its parent: root page id, sequence 0.
func bucketValue(root uint64) []byte {
	v := make([]byte, 16)
	ne.PutUint64(v, root)
	return v
}

// writeMeta writes the two meta pages, naming root the root bucket's page, and sizes the file
// to its high water mark. Both pages are valid: bbolt takes the one of the higher transaction.
func (bf *boltFile) writeMeta(root uint64) error {
	if err := bf.wait(); err != nil {
		return err
	}
	hwm := bf.next.Load()
	page := make([]byte, 2*bf.pageSize)
	for i := range 2 {
		p := page[i*bf.pageSize:]
		putPageHeader(p, uint64(i), boltMetaFlag, 0, 1)
		m := p[boltPageHeader:]
		ne.PutUint32(m[0:], boltMagic)
		ne.PutUint32(m[4:], boltVersion)
		ne.PutUint32(m[8:], uint32(bf.pageSize))
		ne.PutUint32(m[12:], 0)
		ne.PutUint64(m[16:], root)
		ne.PutUint64(m[24:], 0) // sequence
		ne.PutUint64(m[32:], boltNoFreelist)
		ne.PutUint64(m[40:], hwm)
		ne.PutUint64(m[48:], uint64(2+i)) // txid: page id = txid % 2, as bbolt writes them
		h := fnv.New64a()
		h.Write(m[:boltMetaSumBytes])
		ne.PutUint64(m[boltMetaSumBytes:], h.Sum64())
	}
	if _, err := bf.f.WriteAt(page, 0); err != nil {
		return err
	}
	return bf.f.Truncate(int64(hwm) * int64(bf.pageSize))
}
