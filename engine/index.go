package engine

// An index word packs where an entry lives and enough of its hash to skip
// most non-matching probes:
//
//	 63           43  42   41      26 25        0
//	+---------------+----+----------+-----------+
//	| tag (21 bits) | ttl| seg (16) | off (26)  |
//	+---------------+----+----------+-----------+
//
// tag is the top 21 bits of the key's xxh3 hash, ttl says the entry has an
// expiry (so active expiry and volatile-* eviction look only at the index),
// seg is the segment's id within its shard (0 is never used, so a zero word
// means an empty cell) and off the byte offset inside the segment.
const (
	tagBits   = 21
	tagShift  = 64 - tagBits
	ttlBit    = 1 << 42
	segShift  = 26
	segMask   = 1<<16 - 1
	offMask   = 1<<26 - 1
	maxSegOff = 1 << 26
)

func makeWord(hash uint64, ttl bool, seg uint16, off int) uint64 {
	w := hash>>tagShift<<tagShift | uint64(seg)<<segShift | uint64(off)
	if ttl {
		w |= ttlBit
	}
	return w
}

func wordTag(w uint64) uint64 { return w >> tagShift }
func wordSeg(w uint64) uint16 { return uint16(w >> segShift & segMask) }
func wordOff(w uint64) int    { return int(w & offMask) }
func wordTTL(w uint64) bool   { return w&ttlBit != 0 }

// slotTable is the index of one (database, slot) pair: open addressing with
// linear probing over index words, with the home cell taken from the top bits
// of the hash. Because home cells are monotonic in the hash, a walk in cell
// order visits keys in (almost) hash order, which is what lets SCAN resume
// from a hash value across resizes. Deletion shifts later cells back, so no
// tombstones are needed in the table.
//
// Each table covers one slot of one database — about 60 keys at a million
// keys — so growing it rehashes a handful of words and never stalls the
// shard, and counting, enumerating or dropping a slot touches only its table.
type slotTable struct {
	words []uint64 // len is 0 or a power of two >= minTableSize
	count int
	bits  uint
}

const minTableSize = 4

// homeOfHash is the home cell of a hash in a table of 1<<bits cells.
func homeOfHash(hash uint64, bits uint) int { return int(hash >> (64 - bits)) }

// tooFull reports whether one more key would push the load over 3/4.
func (t *slotTable) tooFull() bool { return (t.count+1)*4 > len(t.words)*3 }
