package engine

import (
	"bytes"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/zeebo/xxh3"
)

// shard owns the slots whose number is congruent to its index modulo the
// shard count: their index tables, and a log of segments holding their
// entries. Everything a request touches for one key is inside one shard, so
// requests on different shards never share a lock.
type shard struct {
	e   *Engine
	idx int

	mu sync.Mutex // guards every field below and the contents of segs
	// tables[pdb] is nil until the physical database gets its first key;
	// then it has one table per local slot (slot >> shard bits).
	tables  [][]slotTable
	keys    []int // keys per physical database
	segs    []*segment
	freeIDs []uint16
	head    *segment // where writes append
	surv    *segment // where the cleaner appends survivors
	total   int      // sum of used over segs
	live    int      // sum of live over segs
	tombs   int      // live tombstone bytes (Durable only)
	// cb is the Value handed to callbacks: a field, not a local, so that
	// passing its address to an unknown func does not allocate.
	cb Value
	// active expiry's resume point
	expDB, expSlot, expCell int
	// colls indexes the collections whose keys live in this shard, by id.
	colls map[uint64]*collection
	coll  Coll                    // handed to Collection callbacks (see cb)
	ekey  []byte                  // scratch for element keys
	zcmp  func(a, b rankItem) int // compareMembers, bound once
}

func newShard(e *Engine, idx int) *shard {
	s := &shard{e: e, idx: idx}
	s.tables = make([][]slotTable, e.opts.Databases)
	s.keys = make([]int, e.opts.Databases)
	s.segs = make([]*segment, 1, 64) // id 0 is reserved: a zero word is an empty cell
	s.colls = make(map[uint64]*collection)
	s.zcmp = s.compareMembers
	return s
}

func (s *shard) table(pdb int, slot uint16) *slotTable {
	ts := s.tables[pdb]
	if ts == nil {
		ts = make([]slotTable, NumSlots>>s.e.shardBits)
		s.tables[pdb] = ts
	}
	return &ts[int(slot)>>s.e.shardBits]
}

// tableIfAny returns nil when the database has no keys in this shard yet.
func (s *shard) tableIfAny(pdb int, slot uint16) *slotTable {
	ts := s.tables[pdb]
	if ts == nil {
		return nil
	}
	return &ts[int(slot)>>s.e.shardBits]
}

// entry returns the bytes of the entry w points at (from its start to the
// end of its segment) and its parsed header.
func (s *shard) entry(w uint64) ([]byte, entryHeader) {
	b := s.segs[wordSeg(w)].data[wordOff(w):]
	return b, parseHeader(b)
}

// keyOf returns the key of the entry at w, decoding only the key length:
// it is on every probe's path.
func (s *shard) keyOf(w uint64) []byte {
	b := s.segs[wordSeg(w)].data[wordOff(w):]
	kl, n := binary.Uvarint(b[offVarints:])
	p := offVarints + n
	_, n = binary.Uvarint(b[p:])
	p += n
	_, n = binary.Uvarint(b[p:])
	p += n
	if b[offKind]&flagExpiry != 0 {
		p += 8
	}
	return b[p : p+int(kl)]
}

// homeOfWord recovers the home cell of a stored word: from the tag while the
// table is small enough, else by rehashing the key from the log.
func (s *shard) homeOfWord(w uint64, bits uint) int {
	if bits <= tagBits {
		return int(wordTag(w) >> (tagBits - bits))
	}
	return homeOfHash(xxh3.Hash(s.keyOf(w)), bits)
}

// findLocked probes t for key. It returns the cell holding the key and its
// word, or the empty cell where the key would go and 0.
func (s *shard) findLocked(t *slotTable, hash uint64, key []byte) (int, uint64) {
	if len(t.words) == 0 {
		return -1, 0
	}
	mask := len(t.words) - 1
	tag := hash >> tagShift
	for i := homeOfHash(hash, t.bits); ; i = (i + 1) & mask {
		w := t.words[i]
		if w == 0 {
			return i, 0
		}
		if wordTag(w) == tag && bytes.Equal(s.keyOf(w), key) {
			return i, w
		}
	}
}

// insertLocked stores w for a key known to be absent, growing t first if
// needed.
func (s *shard) insertLocked(t *slotTable, hash uint64, w uint64) {
	if len(t.words) == 0 || t.tooFull() {
		s.resizeLocked(t, max(minTableSize, len(t.words)*2))
	}
	mask := len(t.words) - 1
	i := homeOfHash(hash, t.bits)
	for t.words[i] != 0 {
		i = (i + 1) & mask
	}
	t.words[i] = w
	t.count++
}

func (s *shard) resizeLocked(t *slotTable, n int) {
	old := t.words
	bits := uint(0)
	for 1<<bits < n {
		bits++
	}
	t.words = make([]uint64, n)
	t.bits = bits
	atomic.AddInt64(&s.e.indexBytes, int64(8*(n-len(old))))
	mask := n - 1
	for _, w := range old {
		if w == 0 {
			continue
		}
		i := s.homeOfWord(w, bits)
		for t.words[i] != 0 {
			i = (i + 1) & mask
		}
		t.words[i] = w
	}
}

// removeCellLocked empties cell i and shifts back the cells after it that
// would otherwise become unreachable (deletion without tombstones).
func (s *shard) removeCellLocked(t *slotTable, i int) {
	mask := len(t.words) - 1
	j := i
	for {
		j = (j + 1) & mask
		w := t.words[j]
		if w == 0 {
			break
		}
		h := s.homeOfWord(w, t.bits)
		// w may move to i when i lies cyclically in [h, j).
		if (j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)) {
			t.words[i] = w
			i = j
		}
	}
	t.words[i] = 0
	t.count--
	if len(t.words) > minTableSize && t.count*8 < len(t.words) {
		if t.count == 0 {
			atomic.AddInt64(&s.e.indexBytes, -int64(8*len(t.words)))
			t.words, t.bits = nil, 0
			return
		}
		s.resizeLocked(t, len(t.words)/2)
	}
}

// allocLocked reserves size bytes of log and returns the segment and offset.
// Entries larger than a quarter segment get a dedicated segment so that
// segments stay dense and a huge value is freed the moment it dies.
func (s *shard) allocLocked(size int, forCleaner bool) (*segment, int) {
	if size > s.e.largeEntry {
		seg := s.newSegmentLocked(mmap(size), true)
		seg.used = size
		s.total += size
		atomic.AddInt64(&s.e.segBytes, int64(size))
		return seg, 0
	}
	headp := &s.head
	if forCleaner {
		headp = &s.surv
	}
	h := *headp
	if h == nil || h.free() < size {
		if h != nil {
			h.open = false
		}
		h = s.newSegmentLocked(s.e.pool.get(), false)
		h.open = true
		*headp = h
	}
	off := h.used
	h.used += size
	s.total += size
	atomic.AddInt64(&s.e.segBytes, int64(size))
	return h, off
}

func (s *shard) newSegmentLocked(data []byte, large bool) *segment {
	seg := &segment{data: data, large: large, seq: s.e.segSeq.Add(1), created: s.e.clock.NowMs()}
	if n := len(s.freeIDs); n > 0 {
		seg.id = s.freeIDs[n-1]
		s.freeIDs = s.freeIDs[:n-1]
		s.segs[seg.id] = seg
	} else {
		if len(s.segs) > segMask {
			panic("engine: shard " + string(rune('0'+s.idx%10)) + " ran out of segment ids; use larger segments")
		}
		seg.id = uint16(len(s.segs))
		s.segs = append(s.segs, seg)
	}
	return seg
}

// freeSegmentLocked returns a segment's memory; its entries must all be dead.
func (s *shard) freeSegmentLocked(seg *segment) {
	s.total -= seg.used
	s.live -= seg.live
	atomic.AddInt64(&s.e.segBytes, -int64(seg.used))
	atomic.AddInt64(&s.e.liveBytes, -int64(seg.live))
	if seg.large {
		munmap(seg.data)
	} else {
		s.e.pool.put(seg.data)
	}
	if s.head == seg {
		s.head = nil
	}
	if s.surv == seg {
		s.surv = nil
	}
	s.segs[seg.id] = nil
	s.freeIDs = append(s.freeIDs, seg.id)
	seg.data = nil
}

func (s *shard) addLive(seg *segment, n int) {
	seg.live += n
	s.live += n
	atomic.AddInt64(&s.e.liveBytes, int64(n))
}

// killLocked accounts for the entry at w no longer being needed.
func (s *shard) killLocked(w uint64) {
	seg := s.segs[wordSeg(w)]
	_, h := s.entry(w)
	s.addLive(seg, -h.size)
	if seg.large && seg.live == 0 {
		s.freeSegmentLocked(seg)
	}
}

// appendLocked encodes one entry into the log and returns its segment and offset.
func (s *shard) appendLocked(kind Type, pdb int, slot uint16, version uint64, expireAt int64, clock uint32, key, val []byte, forCleaner bool) (*segment, int, int) {
	size := entrySize(len(key), len(val), version, expireAt)
	seg, off := s.allocLocked(size, forCleaner)
	encodeEntry(seg.data[off:off+size], kind, uint8(pdb), slot, version, expireAt, clock, key, val)
	return seg, off, size
}

// putLocked writes a new version of key. cell/old come from findLocked on t.
// now (engine clock, ms) becomes the entry's access clock.
func (s *shard) putLocked(t *slotTable, cell int, old uint64, pdb int, slot uint16, hash uint64, key []byte, kind Type, val []byte, expireAt, now int64) {
	seg, off, size := s.appendLocked(kind, pdb, slot, s.e.version.Add(1), expireAt, uint32(now/1000), key, val, false)
	s.addLive(seg, size)
	w := makeWord(hash, expireAt != 0, seg.id, off)
	if old != 0 {
		t.words[cell] = w
		s.killLocked(old)
		return
	}
	s.insertLocked(t, hash, w)
	s.keys[pdb]++
}

// deleteLocked removes the key at cell and appends its tombstone.
func (s *shard) deleteLocked(t *slotTable, cell int, w uint64, pdb int) {
	s.tombstoneLocked(w, pdb)
	s.removeCellLocked(t, cell)
	s.keys[pdb]--
}

// tombstoneLocked appends the tombstone for the entry at w and kills it; the
// caller removes w from the index.
func (s *shard) tombstoneLocked(w uint64, pdb int) {
	s.dropHeldCollectionLocked(w)
	b, h := s.entry(w)
	s.appendMarkerLocked(typeTombstone, pdb, h.slot, h.key(b))
	s.killLocked(w)
}

// appendMarkerLocked appends a tombstone or flush marker. Its value is the
// next segment sequence number: every older entry it covers lives in a
// segment created before that. key may alias the log: appending never frees.
func (s *shard) appendMarkerLocked(kind Type, pdb int, slot uint16, key []byte) {
	var seqBuf [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(seqBuf[:], s.e.segSeq.Load()+1)
	seg, _, size := s.appendLocked(kind, pdb, slot, s.e.version.Add(1), 0, 0, key, seqBuf[:n], false)
	if s.e.opts.Durable {
		s.addLive(seg, size)
		s.tombs += size
	}
}

// expiredLocked reports whether the entry at w has expired: as in Redis, a
// key is still there at exactly its expiry millisecond.
func (s *shard) expiredLocked(w uint64, now int64) bool {
	if !wordTTL(w) {
		return false
	}
	_, h := s.entry(w)
	return h.expireAt < now
}
