package registry

import (
	"math/bits"
)

// bloom is a blocked Bloom filter over the registry's keys, stored in the registry file. Most
// lookups in this product are of NIKs *not* in the registry (a citizen reports a household that
// gets no aid yet), and a miss in a million-key B+tree costs a dozen cache misses; the filter
// answers most of them from one cache line. Each key sets bloomK bits inside one 512-bit block.
//
// Layout: uint64 little-endian words, a multiple of 8 (one block); 12 bits per key give about
// 0.5 % false positives.
type bloom []byte

const (
	bloomBitsPerKey = 12
	bloomK          = 6
	bloomBlock      = 64 // bytes: one cache line
)

func bloomHash(key uint64) uint64 {
	// splitmix64's finaliser: NIKs are dense decimal numbers, so mix well.
	key ^= key >> 30
	key *= 0xbf58476d1ce4e5b9
	key ^= key >> 27
	key *= 0x94d049bb133111eb
	key ^= key >> 31
	return key
}

func newBloom(keys int) bloom {
	blocks := (keys*bloomBitsPerKey + bloomBlock*8 - 1) / (bloomBlock * 8)
	return make(bloom, max(blocks, 1)*bloomBlock)
}

// block returns the offset of the key's block and the rest of its hash.
func (b bloom) block(key uint64) (int, uint64) {
	h := bloomHash(key)
	hi, _ := bits.Mul64(h, uint64(len(b)/bloomBlock))
	return int(hi) * bloomBlock, h
}

func (b bloom) add(key uint64) {
	off, h := b.block(key)
	for i := range bloomK {
		bit := (h >> (i * 9)) & 511
		b[off+int(bit>>3)] |= 1 << (bit & 7)
	}
}

// mayContain is false only for keys never added.
func (b bloom) mayContain(key uint64) bool {
	if len(b) < bloomBlock {
		return true
	}
	off, h := b.block(key)
	blk := b[off : off+bloomBlock]
	for i := range bloomK {
		bit := (h >> (i * 9)) & 511
		if blk[bit>>3]&(1<<(bit&7)) == 0 {
			return false
		}
	}
	return true
}
