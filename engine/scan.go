package engine

import (
	"math/rand/v2"
	"sync/atomic"

	"github.com/zeebo/xxh3"
)

// A SCAN cursor is a position in (slot, hash) order:
//
//	bits 34..21: slot    bits 20..0: tag (top 21 bits of the key hash)
//
// Scan returns, slot by slot, every key whose tag is at least the cursor's,
// in whole tag ranges, so a key present for the whole scan is returned at
// least once whatever resizes, cleaning or shard moves happen between calls:
// a cursor names a point in hash space, not a cell. Cursor 0 starts and ends
// a scan.
const cursorSlotShift = tagBits

// ScanFunc receives one key. key aliases engine memory and is valid only
// during the call.
type ScanFunc func(key []byte, t Type)

// Scan visits about count keys of db from cursor and returns the next
// cursor, 0 when the scan is complete.
func (e *Engine) Scan(db int, cursor uint64, count int, fn ScanFunc) uint64 {
	if e.checkDB(db) != nil || cursor>>cursorSlotShift >= NumSlots {
		return 0
	}
	if count < 1 {
		count = 1
	}
	now := e.clock.NowMs()
	slot := int(cursor >> cursorSlotShift)
	tag := cursor & (1<<tagBits - 1)
	emitted := 0
	for ; slot < NumSlots; slot, tag = slot+1, 0 {
		s := e.shards[slot&(len(e.shards)-1)]
		s.mu.Lock()
		t := s.tableIfAny(e.dbMap[db], uint16(slot))
		var next uint64
		done := true
		if t != nil && t.count > 0 {
			next, done = s.scanTableLocked(t, tag, count-emitted, now, func(_ uint64, b []byte, h *entryHeader) {
				emitted++
				fn(h.key(b), h.kind)
			})
		}
		s.mu.Unlock()
		if !done {
			return uint64(slot)<<cursorSlotShift | next
		}
		if emitted >= count {
			if slot+1 == NumSlots {
				return 0
			}
			return uint64(slot+1) << cursorSlotShift
		}
	}
	return 0
}

// scanTableLocked emits the keys of t with tag >= from, bucket by bucket of
// home cells, stopping at a tag boundary once budget keys were emitted. It
// returns the tag to resume from and whether the table is finished.
func (s *shard) scanTableLocked(t *slotTable, from uint64, budget int, now int64, fn func(w uint64, b []byte, h *entryHeader)) (uint64, bool) {
	bits := t.bits
	n := len(t.words)
	mask := n - 1
	var h int
	if bits <= tagBits {
		h = int(from >> (tagBits - bits))
	} else {
		h = int(from << (bits - tagBits))
	}
	emitted := 0
	for ; h < n; h++ {
		for i := h; t.words[i] != 0; i = (i + 1) & mask {
			w := t.words[i]
			if wordTag(w) < from || s.homeOfWord(w, bits) != h || s.expiredLocked(w, now) {
				continue
			}
			b, hd := s.entry(w)
			fn(w, b, &hd)
			emitted++
		}
		if emitted >= budget && h+1 < n {
			if bits <= tagBits {
				return uint64(h+1) << (tagBits - bits), false
			}
			if (h+1)&(1<<(bits-tagBits)-1) == 0 {
				return uint64(h+1) >> (bits - tagBits), false
			}
		}
	}
	return 0, true
}

// RandomKey appends a random live key of db to dst.
func (e *Engine) RandomKey(db int, dst []byte) ([]byte, bool) {
	if e.checkDB(db) != nil {
		return dst, false
	}
	now := e.clock.NowMs()
	for attempt := 0; attempt < 64; attempt++ {
		start := rand.IntN(NumSlots)
		for k := 0; k < NumSlots; k++ {
			slot := (start + k) & (NumSlots - 1)
			s := e.shards[slot&(len(e.shards)-1)]
			s.mu.Lock()
			t := s.tableIfAny(e.dbMap[db], uint16(slot))
			if t == nil || t.count == 0 {
				s.mu.Unlock()
				continue
			}
			i := rand.IntN(len(t.words))
			for t.words[i] == 0 {
				i = (i + 1) & (len(t.words) - 1)
			}
			w := t.words[i]
			if s.expiredLocked(w, now) {
				s.noteDeletionLocked(KeyExpired, w, e.dbMap[db])
				s.deleteLocked(t, i, w, e.dbMap[db])
				e.stats.expired.Add(1)
				s.mu.Unlock()
				break // try another random start
			}
			dst = append(dst, s.keyOf(w)...)
			s.mu.Unlock()
			return dst, true
		}
	}
	return dst, false
}

// CountKeysInSlot is the number of keys of db in one cluster slot.
func (e *Engine) CountKeysInSlot(db int, slot uint16) int {
	if e.checkDB(db) != nil || slot >= NumSlots {
		return 0
	}
	s := e.shards[int(slot)&(len(e.shards)-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tableIfAny(e.dbMap[db], slot); t != nil {
		return t.count
	}
	return 0
}

// KeysInSlot appends up to count keys of db in slot to dst, copying them.
// Migration calls it repeatedly, moving and deleting what it got, until it
// returns nothing.
func (e *Engine) KeysInSlot(db int, slot uint16, count int, dst [][]byte) [][]byte {
	if e.checkDB(db) != nil || slot >= NumSlots {
		return dst
	}
	s := e.shards[int(slot)&(len(e.shards)-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tableIfAny(e.dbMap[db], slot)
	if t == nil {
		return dst
	}
	now := e.clock.NowMs()
	for _, w := range t.words {
		if len(dst) >= count {
			break
		}
		if w != 0 && !s.expiredLocked(w, now) {
			dst = append(dst, append([]byte(nil), s.keyOf(w)...))
		}
	}
	return dst
}

// DropSlot deletes every key of db in slot and returns how many there were.
func (e *Engine) DropSlot(db int, slot uint16) int {
	if e.checkDB(db) != nil || slot >= NumSlots {
		return 0
	}
	s := e.shards[int(slot)&(len(e.shards)-1)]
	s.mu.Lock()
	defer s.mu.Unlock()
	pdb := e.dbMap[db]
	t := s.tableIfAny(pdb, slot)
	if t == nil {
		return 0
	}
	n := t.count
	for _, w := range t.words {
		if w != 0 {
			s.tombstoneLocked(w, pdb)
		}
	}
	atomic.AddInt64(&e.indexBytes, -int64(8*len(t.words)))
	*t = slotTable{}
	s.keys[pdb] -= n
	return n
}

// liveCellLocked finds the index cell pointing at (seg, off) for an entry
// with header h, or -1 when the entry is dead.
func (s *shard) liveCellLocked(seg *segment, off int, b []byte, h *entryHeader) (*slotTable, int) {
	var t *slotTable
	if h.kind == TypeElement {
		c := s.colls[headerID(h.key(b))]
		if c == nil {
			return nil, -1
		}
		t = &c.elems
	} else {
		if int(h.db) >= len(s.tables) {
			return nil, -1
		}
		t = s.tableIfAny(int(h.db), h.slot)
	}
	if t == nil || len(t.words) == 0 {
		return nil, -1
	}
	hash := xxh3.Hash(h.key(b))
	mask := len(t.words) - 1
	for i := homeOfHash(hash, t.bits); t.words[i] != 0; i = (i + 1) & mask {
		w := t.words[i]
		if wordSeg(w) == seg.id && wordOff(w) == off {
			return t, i
		}
	}
	return nil, -1
}
