package registry

import (
	"encoding/binary"
	"errors"
)

// The value stored under a NIK is its program records, one after the other. A record is seven
// fields in the order of recordFields; a field is a uvarint tag, then for tag&1 == 1 that many
// (tag>>1) bytes of UTF-8 inline, while tag&1 == 0 names entry tag>>1 of the file's dictionary.
// Program, period, status, desa and kecamatan repeat across a million rows, so they go through the
// dictionary and cost a byte or two; name and address are inline. The format is hand-written
// rather than JSON or gob because a lookup must decode in well under a microsecond with two
// allocations: the []Program and one string holding all inline text.
const (
	recordFields  = 7 // Program, Period, Status, Name, Address, Desa, Kecamatan
	formatVersion = "1"
	dictMax       = 1 << 16 // entries; rarer values beyond it are stored inline
)

var errCorrupt = errors.New("registry: corrupt record")

// appendField appends a field: the dictionary entry id when id < dictMax, else s inline.
func appendField(dst []byte, s string, id int) []byte {
	if id >= 0 && id < dictMax {
		return binary.AppendUvarint(dst, uint64(id)<<1)
	}
	dst = binary.AppendUvarint(dst, uint64(len(s))<<1|1)
	return append(dst, s...)
}

// uvarint is binary.Uvarint with the one-byte case inlined: nearly every tag is one byte.
func uvarint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	return binary.Uvarint(b)
}

// recordLen returns the length of the record at the start of v and how many of its bytes are
// inline text.
func recordLen(v []byte, dictLen int) (n, inline int, err error) {
	for range recordFields {
		tag, k := uvarint(v[n:])
		if k <= 0 {
			return 0, 0, errCorrupt
		}
		n += k
		if tag&1 == 1 {
			l := tag >> 1
			if l > uint64(len(v)-n) {
				return 0, 0, errCorrupt
			}
			n += int(l)
			inline += int(l)
		} else if tag>>1 >= uint64(dictLen) {
			return 0, 0, errCorrupt
		}
	}
	return n, inline, nil
}

// decodePrograms decodes a stored value. It copies the inline text once, so the result stays
// valid after the transaction (and the file's memory map) is gone.
func decodePrograms(v []byte, dict []string) ([]Program, error) {
	count := 0
	for i := 0; i < len(v); count++ {
		n, _, err := recordLen(v[i:], len(dict))
		if err != nil {
			return nil, err
		}
		i += n
	}
	if count == 0 {
		return nil, errCorrupt
	}
	text := string(v) // inline strings below are substrings of this one copy
	out := make([]Program, count)
	i := 0
	for p := range out {
		var f [recordFields]string
		for j := range f {
			tag, k := uvarint(v[i:])
			i += k
			if tag&1 == 0 {
				f[j] = dict[tag>>1]
				continue
			}
			l := int(tag >> 1)
			f[j] = text[i : i+l]
			i += l
		}
		out[p] = Program{Program: f[0], Period: f[1], Status: f[2], Name: f[3], Address: f[4], Desa: f[5], Kecamatan: f[6]}
	}
	return out, nil
}

// encodeDict stores the dictionary: a uvarint count, then each entry as uvarint length + bytes.
func encodeDict(dict []string) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(dict)))
	for _, s := range dict {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

func decodeDict(b []byte) ([]string, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > dictMax || n > uint64(len(b)) {
		return nil, errCorrupt
	}
	text := string(b) // one allocation for every entry
	i := k
	dict := make([]string, n)
	for j := range dict {
		l, k := binary.Uvarint(b[i:])
		if k <= 0 || l > uint64(len(b)-i-k) {
			return nil, errCorrupt
		}
		i += k
		dict[j] = text[i : i+int(l)]
		i += int(l)
	}
	return dict, nil
}
