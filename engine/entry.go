package engine

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Entry layout, little endian; see doc.go for the drawing.
const (
	offCRC      = 0  // uint32 crc32c of bytes [offKind, end)
	offClock    = 4  // uint32 access clock, seconds; mutable, outside the checksum
	offKind     = 8  // type tag (low 4 bits) and flags (high 4 bits)
	offDB       = 9  // physical database number
	offSlot     = 10 // uint16 cluster slot
	offVarints  = 12 // uvarint key length, uvarint value length, uvarint version
	fixedHeader = offVarints

	flagExpiry = 0x10 // an int64 absolute expiry in ms follows the varints
	kindMask   = 0x0f
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorruptEntry is returned by decodeEntry for bytes that are not a whole,
// well-formed entry with a matching checksum.
var ErrCorruptEntry = errors.New("engine: corrupt entry")

// entryHeader is the decoded form of an entry's header. Offsets are relative
// to the start of the entry.
type entryHeader struct {
	kind     Type
	db       uint8
	slot     uint16
	version  uint64
	expireAt int64
	keyOff   int
	keyLen   int
	valLen   int
	size     int // total bytes of the entry
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// entrySize is the encoded size of an entry with the given fields.
func entrySize(keyLen, valLen int, version uint64, expireAt int64) int {
	n := fixedHeader + uvarintLen(uint64(keyLen)) + uvarintLen(uint64(valLen)) + uvarintLen(version)
	if expireAt != 0 {
		n += 8
	}
	return n + keyLen + valLen
}

// encodeEntry writes one entry into dst, which must be exactly entrySize
// bytes long, and returns the header describing it.
func encodeEntry(dst []byte, kind Type, db uint8, slot uint16, version uint64, expireAt int64, clock uint32, key, val []byte) entryHeader {
	k := byte(kind) & kindMask
	if expireAt != 0 {
		k |= flagExpiry
	}
	binary.LittleEndian.PutUint32(dst[offClock:], clock)
	dst[offKind] = k
	dst[offDB] = db
	binary.LittleEndian.PutUint16(dst[offSlot:], slot)
	p := offVarints
	p += binary.PutUvarint(dst[p:], uint64(len(key)))
	p += binary.PutUvarint(dst[p:], uint64(len(val)))
	p += binary.PutUvarint(dst[p:], version)
	if expireAt != 0 {
		binary.LittleEndian.PutUint64(dst[p:], uint64(expireAt))
		p += 8
	}
	keyOff := p
	p += copy(dst[p:], key)
	p += copy(dst[p:], val)
	binary.LittleEndian.PutUint32(dst[offCRC:], crc32.Checksum(dst[offKind:p], castagnoli))
	return entryHeader{kind: kind, db: db, slot: slot, version: version, expireAt: expireAt,
		keyOff: keyOff, keyLen: len(key), valLen: len(val), size: p}
}

// parseHeader reads an entry header from trusted memory (a segment this
// process wrote); it does not verify the checksum.
func parseHeader(b []byte) entryHeader {
	var h entryHeader
	k := b[offKind]
	h.kind = Type(k & kindMask)
	h.db = b[offDB]
	h.slot = binary.LittleEndian.Uint16(b[offSlot:])
	p := offVarints
	kl, n := binary.Uvarint(b[p:])
	p += n
	vl, n := binary.Uvarint(b[p:])
	p += n
	h.version, n = binary.Uvarint(b[p:])
	p += n
	if k&flagExpiry != 0 {
		h.expireAt = int64(binary.LittleEndian.Uint64(b[p:]))
		p += 8
	}
	h.keyOff = p
	h.keyLen = int(kl)
	h.valLen = int(vl)
	h.size = p + h.keyLen + h.valLen
	return h
}

// decodeEntry validates and decodes an entry from untrusted bytes (a file or
// a fuzzer): every length is bounds-checked and the checksum must match.
func decodeEntry(b []byte) (entryHeader, error) {
	var h entryHeader
	if len(b) < fixedHeader+3 {
		return h, ErrCorruptEntry
	}
	k := b[offKind]
	if k&^(kindMask|flagExpiry) != 0 || !Type(k&kindMask).valid() {
		return h, ErrCorruptEntry
	}
	p := offVarints
	kl, n := binary.Uvarint(b[p:])
	if n <= 0 || kl > maxKeyLen {
		return h, ErrCorruptEntry
	}
	p += n
	vl, n := binary.Uvarint(b[p:])
	if n <= 0 || vl > MaxValueLen {
		return h, ErrCorruptEntry
	}
	p += n
	ver, n := binary.Uvarint(b[p:])
	if n <= 0 {
		return h, ErrCorruptEntry
	}
	p += n
	if k&flagExpiry != 0 {
		if len(b) < p+8 {
			return h, ErrCorruptEntry
		}
		h.expireAt = int64(binary.LittleEndian.Uint64(b[p:]))
		if h.expireAt <= 0 {
			return h, ErrCorruptEntry
		}
		p += 8
	}
	end := uint64(p) + kl + vl
	if end > uint64(len(b)) {
		return h, ErrCorruptEntry
	}
	if crc32.Checksum(b[offKind:end], castagnoli) != binary.LittleEndian.Uint32(b[offCRC:]) {
		return h, ErrCorruptEntry
	}
	h.kind = Type(k & kindMask)
	h.db = b[offDB]
	h.slot = binary.LittleEndian.Uint16(b[offSlot:])
	if h.slot >= NumSlots {
		return h, ErrCorruptEntry
	}
	h.version = ver
	h.keyOff = p
	h.keyLen = int(kl)
	h.valLen = int(vl)
	h.size = int(end)
	return h, nil
}

func (h *entryHeader) key(b []byte) []byte { return b[h.keyOff : h.keyOff+h.keyLen] }
func (h *entryHeader) value(b []byte) []byte {
	s := h.keyOff + h.keyLen
	return b[s : s+h.valLen : s+h.valLen]
}
