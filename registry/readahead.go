package registry

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync/atomic"
)

// readAhead reads the source in a goroutine of its own, checksumming it and checking record
// lengths as it goes, while the caller parses: on a two-core machine that takes the SHA-256 and
// the read system calls off the import's critical path.
type readAhead struct {
	full  chan chunk
	free  chan []byte
	done  chan struct{}
	cur   []byte
	buf   []byte // the buffer cur is in, returned to free when used up
	err   error
	read  atomic.Int64 // bytes read from the source, for progress
	sum   hash.Hash    // complete once Read has returned io.EOF
	limit recordLimit
}

type chunk struct {
	b   []byte
	err error
}

const readAheadChunk = 256 << 10

func newReadAhead(src io.Reader, maxRecord int) *readAhead {
	ra := &readAhead{
		full:  make(chan chunk, 4),
		free:  make(chan []byte, 6),
		done:  make(chan struct{}),
		sum:   sha256.New(),
		limit: recordLimit{max: maxRecord, line: 1, recLine: 1},
	}
	for range 6 {
		ra.free <- make([]byte, readAheadChunk)
	}
	go ra.run(src)
	return ra
}

func (ra *readAhead) run(src io.Reader) {
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
		if lerr := ra.limit.scan(buf); lerr != nil {
			buf, err = nil, lerr
		}
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
func (ra *readAhead) Close() { close(ra.done) }

var errRecordTooLong = errors.New("record too long")

// recordTooLongError is the error of a source with a record over MaxRecordBytes.
type recordTooLongError struct{ line, max int }

func (e *recordTooLongError) Error() string {
	return fmt.Sprintf("line %d: a record longer than %d KiB: not a registry export?", e.line, e.max>>10)
}

func (e *recordTooLongError) Unwrap() error { return errRecordTooLong }

// recordLimit fails the source once a record grows past max bytes, before the CSV reader would
// buffer it whole. A record ends at a newline outside quotes; quotes toggle (an escaped ""
// toggles twice), which is exact for the well-formed CSV the reader accepts.
type recordLimit struct {
	max     int
	since   int  // bytes since the last newline outside quotes
	quoted  bool // inside a quoted field
	line    int  // physical line of the next byte
	recLine int  // physical line where the current record started
}

func (l *recordLimit) scan(buf []byte) error {
	for len(buf) > 0 {
		// Between quotes only newlines matter, and bytes.IndexByte and Count are vectorised.
		q := bytes.IndexByte(buf, '"')
		seg := buf
		if q >= 0 {
			seg = buf[:q]
		}
		if nl := bytes.Count(seg, []byte{'\n'}); nl > 0 {
			l.line += nl
			if l.quoted {
				l.since += len(seg)
			} else {
				l.recLine = l.line
				l.since = len(seg) - bytes.LastIndexByte(seg, '\n') - 1
			}
		} else {
			l.since += len(seg)
		}
		if l.since > l.max {
			return &recordTooLongError{line: l.recLine, max: l.max}
		}
		if q < 0 {
			return nil
		}
		l.quoted = !l.quoted
		l.since++
		buf = buf[q+1:]
	}
	return nil
}
