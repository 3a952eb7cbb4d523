package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// csvRecords reads the source's records with encoding/csv's exact results, faster: a line
// without a quote character (in a registry export, nearly every line) is split here, which is
// all encoding/csv does with such a line, and needs no allocation; a line with a quote goes to an
// encoding/csv reader together with the further lines it asks for (a quoted field may span
// lines), so quoting, its errors and their columns are encoding/csv's own. Line numbers are the
// source's physical lines either way. FuzzCSVRecords checks the two against each other.
//
// The csv.Reader is set as the import always set it: FieldsPerRecord -1, LazyQuotes false,
// no comments, no TrimLeadingSpace.
//
// A record longer than max bytes (its lines, without the last newline) fails the read with a
// *recordTooLongError before it is held whole: a file with no newline, or a quote opened and never
// closed, is not a registry export. The record's extent is encoding/csv's own, so a stray quote
// in an unquoted field costs that row (a bare-quote error), never the file.
type csvRecords struct {
	br     *bufio.Reader
	sep    byte
	max    int
	line   int    // physical lines read so far
	long   []byte // a line longer than br's buffer, put together
	fields []string
	feed   lineFeed
	cr     *csv.Reader
}

func newCSVRecords(br *bufio.Reader, sep byte, max int) *csvRecords {
	c := &csvRecords{br: br, sep: sep, max: max}
	c.feed.src = c
	c.cr = csv.NewReader(&c.feed)
	c.cr.Comma = rune(sep)
	c.cr.FieldsPerRecord = -1
	c.cr.ReuseRecord = true
	return c
}

// readLine returns the next physical line with its newline, or a last one without; io.EOF
// only with no line; errLineTooLong, having read max+2 bytes of a line, for a line too long for
// any record.
func (c *csvRecords) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(c.long) > c.max+1 {
				return nil, errLineTooLong
			}
			line, err = c.br.ReadSlice('\n')
			c.long = append(c.long, line...)
		}
		line = c.long
	}
	if len(line) == 0 {
		if err == nil {
			err = io.EOF
		}
		return nil, err
	}
	c.line++
	if err == io.EOF {
		err = nil // the last line, without a newline; EOF on the next call
	}
	return line, err
}

// Read returns the next record and the line it starts on. The fields are valid until the next
// Read: those of a line split here point into the read buffer. Errors are encoding/csv's (a
// *csv.ParseError with the source's line numbers), the source's, or io.EOF.
func (c *csvRecords) Read() ([]string, int, error) {
	for {
		raw, err := c.readLine()
		if err == errLineTooLong {
			return nil, 0, &recordTooLongError{line: c.line + 1, max: c.max}
		} else if err != nil {
			return nil, 0, err
		}
		if recordBytes(raw) > c.max {
			return nil, 0, &recordTooLongError{line: c.line, max: c.max}
		}
		if bytes.IndexByte(raw, '"') >= 0 {
			return c.readQuoted(raw)
		}
		// What encoding/csv's readLine does to a line: drop the newline and a carriage return
		// before it (or, on a last line, a trailing carriage return).
		line := raw
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) == 0 {
			continue // an empty line is no record
		}
		c.fields = c.fields[:0]
		for {
			i := bytes.IndexByte(line, c.sep)
			if i < 0 {
				c.fields = append(c.fields, bytesView(line))
				break
			}
			c.fields = append(c.fields, bytesView(line[:i]))
			line = line[i+1:]
		}
		return c.fields, c.line, nil
	}
}

// readQuoted hands the record starting with raw to encoding/csv.
func (c *csvRecords) readQuoted(raw []byte) ([]string, int, error) {
	start := c.line
	c.feed.pending, c.feed.start, c.feed.bytes = raw, start, len(raw)
	rec, err := c.cr.Read()
	// encoding/csv numbers the lines it was given; the record's first is line start here.
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		off := start - pe.StartLine
		mapped := *pe
		mapped.StartLine += off
		mapped.Line += off
		return rec, start, &mapped
	}
	if err != nil {
		return nil, 0, err
	}
	return rec, start, nil
}

// lineFeed is the csv.Reader's source: the line csvRecords gave it, then a line per Read from the
// source, so its buffer never holds more than the lines it asked for.
type lineFeed struct {
	src     *csvRecords
	pending []byte
	start   int // the record's first line
	bytes   int // the record's bytes so far
}

func (f *lineFeed) Read(p []byte) (int, error) {
	if len(f.pending) == 0 {
		line, err := f.src.readLine()
		if err == errLineTooLong {
			return 0, &recordTooLongError{line: f.start, max: f.src.max}
		} else if err != nil {
			return 0, err
		}
		if f.bytes += len(line); f.bytes-len(line)+recordBytes(line) > f.src.max {
			return 0, &recordTooLongError{line: f.start, max: f.src.max}
		}
		f.pending = line
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

// recordBytes is the length of a record's last line without its newline.
func recordBytes(line []byte) int {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		return n - 1
	}
	return len(line)
}

var errLineTooLong = errors.New("line too long")

var errRecordTooLong = errors.New("record too long")

// recordTooLongError is the error of a source with a record over MaxRecordBytes.
type recordTooLongError struct{ line, max int }

func (e *recordTooLongError) Error() string {
	return fmt.Sprintf("line %d: a record longer than %d KiB: not a registry export?", e.line, e.max>>10)
}

func (e *recordTooLongError) Unwrap() error { return errRecordTooLong }

// bytesView is b as a string without a copy, for fields that live until the next record; a
// value kept longer (interned, or queued for the name index) is copied first.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
