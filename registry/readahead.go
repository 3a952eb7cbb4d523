package registry

import (
	"crypto/sha256"
	"hash"
	"io"
	"sync/atomic"
)

// readAhead reads the source in a goroutine of its own, checksumming it as it goes, while the
// caller parses: on a two-core machine that takes the SHA-256 and the read system calls off the
// import's critical path. It reads at most readAheadBufs chunks ahead of the caller (1 MiB).
type readAhead struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	gone chan struct{} // closed when run has returned
	cur  []byte
	buf  []byte // the buffer cur is in, returned to free when used up
	err  error
	read atomic.Int64 // bytes read from the source, for progress
	sum  hash.Hash    // complete once Read has returned io.EOF
}

type chunk struct {
	b   []byte
	err error
}

const (
	readAheadChunk = 256 << 10
	readAheadBufs  = 4
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan chunk, readAheadBufs),
		free: make(chan []byte, readAheadBufs),
		done: make(chan struct{}),
		gone: make(chan struct{}),
		sum:  sha256.New(),
	}
	for range readAheadBufs {
		ra.free <- make([]byte, readAheadChunk)
	}
	go ra.run(src)
	return ra
}

func (ra *readAhead) run(src io.Reader) {
	defer close(ra.gone)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadAtLeast(src, buf, len(buf))
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		buf = buf[:n]
		ra.sum.Write(buf)
		ra.read.Add(int64(n))
		select {
		case ra.full <- chunk{buf, err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		c := <-ra.full
		ra.cur, ra.buf, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the reading goroutine.
//
// It waits for a read of the source in progress: the caller may close or reuse the source once
// the import has returned.
func (ra *readAhead) Close() {
	close(ra.done)
	<-ra.gone
}
