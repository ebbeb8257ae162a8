package engine

import (
	"encoding/binary"
	"math"
	"sync/atomic"

	"github.com/nebredis/nebredis/engine/internal/ranktree"
	"github.com/zeebo/xxh3"
)

// A collection key's entry (TypeHash, TypeList, TypeSet, TypeZSet) holds
// only the collection's id, 8 bytes little endian. Each element is a
// TypeElement entry whose key is that id followed by the member (for a
// list, by the element's sequence number) and whose value is the hash
// field's value, the sorted-set member's score (8 bytes, IEEE 754 little
// endian), nothing for a set member, or the list element. The id comes from
// the engine's version counter, so it is unique for the life of the log.
const collIDLen = 8

// collection is the in-memory index of one collection. It lives in its
// shard's colls map, keyed by id, for as long as a key holds the id.
type collection struct {
	id    uint64
	typ   Type
	pdb   int
	slot  uint16
	elems slotTable // words of the element entries, keyed by id+member
	bytes int       // log bytes of the live elements (MEMORY USAGE)
	// A list's elements have the sequence numbers [head, tail), in order,
	// and their words are in ring (see ListIndex); elems stays empty.
	head, tail int64
	ring       []uint64
	// A sorted set's (score, member) order; Refs are element words.
	order     ranktree.Tree
	treeBytes int // what order last reported, counted in indexBytes
	info      CollInfo
	// dropped is set once the collection is forgotten, so that a second
	// Coll of the same key in one Collections call (opened with another
	// type) cannot write into it or delete the key that replaced it.
	dropped bool
}

// CollInfo is what OBJECT ENCODING needs to name a collection's encoding
// the way Redis would: Redis converts a small encoding (listpack, intset)
// to a large one once a size threshold is crossed and never converts back,
// so these are high-water marks, not current sizes.
type CollInfo struct {
	PeakLen    int   // the most elements it has held
	MaxElemLen int   // the longest member or value it has held
	Flags      uint8 // sticky bits the caller sets (e.g. "held a non-integer member")
}

func isCollection(t Type) bool { return t >= TypeList && t <= TypeHash }

func headerID(v []byte) uint64 {
	if len(v) < collIDLen {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

// Coll is one collection handed to a Collection or Collections callback.
// It is valid only during the callback, under the shard lock. Byte slices
// its methods return alias the log: they stay valid until the callback
// returns or the element they belong to is written or removed, whichever
// comes first. A collection that ends the callback empty is deleted, as in
// Redis; one that gets its first element is created.
type Coll struct {
	e     *Engine
	s     *shard
	c     *collection // nil while the key holds no collection of typ
	typ   Type
	key   []byte
	r     keyRef
	pdb   int
	now   int64
	other Type // the type the key holds when it is not typ
	// header says the key's entry currently names c (written before the
	// callback, or not yet written for a collection made during it).
	header bool
}

// Exists reports whether the key holds a collection of the requested type
// (possibly just created by this callback).
func (c *Coll) Exists() bool { return c.c != nil && !c.c.dropped }

// WrongType reports whether the key holds a value of another type. Reads
// then see an empty collection; the first write returns ErrWrongType
// unless Reset is called first.
func (c *Coll) WrongType() bool { return c.other != TypeNone }

// Len is the number of elements.
func (c *Coll) Len() int {
	if c.c == nil {
		return 0
	}
	return c.c.count()
}

func (c *collection) count() int {
	if c.typ == TypeList {
		return int(c.tail - c.head)
	}
	return c.elems.count
}

// Info returns the collection's high-water marks.
func (c *Coll) Info() CollInfo {
	if c.c == nil {
		return CollInfo{}
	}
	return c.c.info
}

// SetFlags ORs bits into Info().Flags.
func (c *Coll) SetFlags(f uint8) {
	if c.c != nil {
		c.c.info.Flags |= f
	}
}

// Reset deletes whatever the key holds, of any type, leaving an empty
// collection of the requested type (the destination of SUNIONSTORE and the
// like). Nothing is written until an element is added.
func (c *Coll) Reset() {
	s := c.s
	if c.header || c.other != TypeNone {
		if t, cell, w := c.e.lookupLocked(c.r, c.pdb, c.key, c.now); w != 0 {
			s.deleteLocked(t, cell, w, c.pdb)
		}
	} else if c.c != nil {
		s.dropCollectionLocked(c.c)
	}
	c.c, c.header, c.other = nil, false, TypeNone
}

// ensure makes the collection exist for a write.
func (c *Coll) ensure() error {
	if c.other != TypeNone {
		return ErrWrongType
	}
	if c.c != nil && c.c.dropped {
		c.c, c.header = nil, false
	}
	if c.c == nil {
		id := c.e.version.Add(1)
		nc := &collection{id: id, typ: c.typ, pdb: c.pdb, slot: c.r.slot}
		c.s.colls[id] = nc
		c.c = nc
	}
	return nil
}

// finish writes the key's entry for a collection created during the
// callback and deletes one left empty.
func (c *Coll) finish() {
	if c.c == nil || c.c.dropped {
		c.c, c.header = nil, false
		return
	}
	s := c.s
	if c.c.count() == 0 {
		if c.header {
			t, cell, w := c.e.lookupLocked(c.r, c.pdb, c.key, c.now)
			if w != 0 && s.heldCollectionID(w) == c.c.id {
				s.deleteLocked(t, cell, w, c.pdb)
			}
		} else {
			s.dropCollectionLocked(c.c)
		}
		c.c, c.header = nil, false
		return
	}
	if !c.header {
		var hdr [collIDLen]byte
		binary.LittleEndian.PutUint64(hdr[:], c.c.id)
		t := s.table(c.pdb, c.r.slot)
		cell, w := s.findLocked(t, c.r.hash, c.key)
		if w != 0 {
			s.dropHeldCollectionLocked(w)
		}
		s.putLocked(t, cell, w, c.pdb, c.r.slot, c.r.hash, c.key, c.typ, hdr[:], 0, c.now)
		c.header = true
	}
	if c.typ == TypeZSet {
		s.syncTreeBytesLocked(c.c)
	}
}

// syncTreeBytesLocked counts a sorted set's order tree in the index bytes.
func (s *shard) syncTreeBytesLocked(c *collection) {
	n := c.order.MemoryBytes()
	if d := n - c.treeBytes; d != 0 {
		atomic.AddInt64(&s.e.indexBytes, int64(d))
	}
	c.treeBytes = n
}

// Collection runs fn on the collection of type typ stored at key in db,
// under the key's shard lock, and then creates or deletes the key as the
// collection became non-empty or empty. fn is always called: c.Exists and
// c.WrongType tell what the key held. Errors fn returns are passed back.
func (e *Engine) Collection(db int, key []byte, typ Type, fn func(c *Coll) error) error {
	if err := e.checkDB(db); err != nil {
		return err
	}
	if len(key) > maxKeyLen {
		return ErrTooLarge
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	err := e.collectionUnderLock(r, db, key, typ, now, fn)
	e.notePeak()
	return err
}

func (e *Engine) collectionUnderLock(r keyRef, db int, key []byte, typ Type, now int64, fn func(c *Coll) error) error {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.coll
	e.openCollLocked(c, r, e.dbMap[db], key, typ, now, true)
	defer func() { *c = Coll{} }()
	err := fn(c)
	c.finish()
	return err
}

func (e *Engine) openCollLocked(c *Coll, r keyRef, pdb int, key []byte, typ Type, now int64, touch bool) {
	s := r.s
	*c = Coll{e: e, s: s, typ: typ, key: key, r: r, pdb: pdb, now: now}
	_, _, w := e.lookupLocked(r, pdb, key, now)
	if w == 0 {
		return
	}
	b, h := s.entry(w)
	if touch {
		putLE32(b[offClock:], uint32(now/1000))
	}
	if h.kind != typ {
		c.other = h.kind
		return
	}
	c.c = s.colls[headerID(h.value(b))]
	c.header = c.c != nil
}

// InspectCollection calls fn with the collection of type typ at key, if
// there is one, without counting an access (OBJECT ENCODING, MEMORY
// USAGE); fn must only read (SetFlags aside).
func (e *Engine) InspectCollection(db int, key []byte, typ Type, fn func(c *Coll)) bool {
	if e.checkDB(db) != nil {
		return false
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.coll
	e.openCollLocked(c, r, e.dbMap[db], key, typ, now, false)
	defer func() { *c = Coll{} }()
	if c.c == nil {
		return false
	}
	fn(c)
	return true
}

// CollRef names one key of a Collections call.
type CollRef struct {
	DB   int
	Key  []byte
	Type Type
}

// Collections is Collection over several keys at once, holding all their
// shard locks (SINTERSTORE, SMOVE, LMOVE, ZUNIONSTORE). cs[i] belongs to
// refs[i]; the same key named twice (with the same type) gets the same
// *Coll.
func (e *Engine) Collections(refs []CollRef, fn func(cs []*Coll) error) error {
	keys := make([]KeyRef, len(refs))
	for i, ref := range refs {
		keys[i] = KeyRef{DB: ref.DB, Key: ref.Key}
	}
	keyRefs, order, err := e.locateAll(keys, make([]keyRef, 0, len(refs)), make([]int, 0, len(refs)))
	if err != nil {
		return err
	}
	now := e.clock.NowMs()
	e.lockShards(order)
	defer func() {
		e.unlockShards(order)
		e.notePeak()
	}()
	cs := make([]*Coll, len(refs))
	for i, ref := range refs {
		for j := 0; j < i; j++ {
			if refs[j].DB == ref.DB && refs[j].Type == ref.Type && string(refs[j].Key) == string(ref.Key) {
				cs[i] = cs[j]
				break
			}
		}
		if cs[i] == nil {
			cs[i] = new(Coll)
			e.openCollLocked(cs[i], keyRefs[i], e.dbMap[ref.DB], ref.Key, ref.Type, now, true)
		}
	}
	err = fn(cs)
	for _, c := range cs {
		c.finish() // idempotent, so keys named twice need no care
	}
	return err
}

// lockShards locks the shards whose indexes order lists, sorted, once each.
func (e *Engine) lockShards(order []int) {
	last := -1
	for _, i := range order {
		if i != last {
			e.shards[i].mu.Lock()
			last = i
		}
	}
}

func (e *Engine) unlockShards(order []int) {
	last := -1
	for _, i := range order {
		if i != last {
			e.shards[i].mu.Unlock()
			last = i
		}
	}
}

// dropHeldCollectionLocked drops the collection named by the key entry at
// w, if w is a collection key: its key is being deleted or overwritten.
func (s *shard) dropHeldCollectionLocked(w uint64) {
	if id := s.heldCollectionID(w); id != 0 {
		if c := s.colls[id]; c != nil {
			s.dropCollectionLocked(c)
		}
	}
}

// dropCollectionLocked kills every element of c and forgets it. Elements
// get no tombstones: with the key's own tombstone, recovery finds their id
// named by no key and drops them.
func (s *shard) dropCollectionLocked(c *collection) {
	for _, w := range c.elems.words {
		if w != 0 {
			s.killLocked(w)
		}
	}
	for _, w := range c.ring {
		if w != 0 {
			s.killLocked(w)
		}
	}
	atomic.AddInt64(&s.e.indexBytes, -int64(8*len(c.elems.words)+8*len(c.ring)+c.treeBytes))
	c.order.Reset()
	c.elems, c.ring, c.bytes, c.treeBytes = slotTable{}, nil, 0, 0
	c.dropped = true
	delete(s.colls, c.id)
}

// ---- elements ----

// elemKey builds id+member in the shard's scratch buffer.
func (c *Coll) elemKey(member []byte) []byte {
	b := c.s.ekey[:0]
	b = binary.LittleEndian.AppendUint64(b, c.c.id)
	b = append(b, member...)
	c.s.ekey = b
	return b
}

func (c *Coll) findElem(k []byte) (uint64, int, uint64) {
	hash := xxh3.Hash(k)
	cell, w := c.s.findLocked(&c.c.elems, hash, k)
	return hash, cell, w
}

// putElemLocked writes an element entry, replacing old at cell when old != 0.
func (s *shard) putElemLocked(c *collection, cell int, old, hash uint64, key, val []byte) uint64 {
	seg, off, size := s.appendLocked(TypeElement, c.pdb, c.slot, s.e.version.Add(1), 0, 0, key, val, false)
	s.addLive(seg, size)
	c.bytes += size
	w := makeWord(hash, false, seg.id, off)
	if old != 0 {
		_, h := s.entry(old)
		c.bytes -= h.size
		c.elems.words[cell] = w
		s.killLocked(old)
	} else {
		s.insertLocked(&c.elems, hash, w)
	}
	if n := len(key) - collIDLen; n > c.info.MaxElemLen {
		c.info.MaxElemLen = n
	}
	if len(val) > c.info.MaxElemLen && c.typ != TypeZSet {
		c.info.MaxElemLen = len(val)
	}
	if c.elems.count > c.info.PeakLen {
		c.info.PeakLen = c.elems.count
	}
	return w
}

// deleteElemLocked removes the element at cell. Only a durable log needs
// its tombstone (see the Durable rule in doc.go).
func (s *shard) deleteElemLocked(c *collection, cell int, w uint64) {
	b, h := s.entry(w)
	c.bytes -= h.size
	if s.e.opts.Durable {
		s.appendMarkerLocked(typeTombstone, c.pdb, c.slot, h.key(b))
	}
	s.killLocked(w)
	s.removeCellLocked(&c.elems, cell)
}

// Get returns the value stored for member (a hash field's value; empty for
// a set member).
func (c *Coll) Get(member []byte) ([]byte, bool) {
	if c.c == nil {
		return nil, false
	}
	_, _, w := c.findElem(c.elemKey(member))
	if w == 0 {
		return nil, false
	}
	b, h := c.s.entry(w)
	return h.value(b), true
}

// Has reports whether member is present.
func (c *Coll) Has(member []byte) bool {
	_, ok := c.Get(member)
	return ok
}

// Set stores member with value (hashes and sets) and reports whether the
// member is new.
func (c *Coll) Set(member, value []byte) (bool, error) {
	if len(value) > MaxValueLen || len(member) > MaxValueLen {
		return false, ErrTooLarge
	}
	if err := c.ensure(); err != nil {
		return false, err
	}
	k := c.elemKey(member)
	hash, cell, w := c.findElem(k)
	c.s.putElemLocked(c.c, cell, w, hash, k, value)
	return w == 0, nil
}

// Delete removes member and reports whether it was there.
func (c *Coll) Delete(member []byte) bool {
	if c.c == nil {
		return false
	}
	_, cell, w := c.findElem(c.elemKey(member))
	if w == 0 {
		return false
	}
	if c.typ == TypeZSet {
		c.c.order.Delete(ranktree.Item{Score: c.s.scoreOf(w), Ref: w}, c.s.zcmp)
	}
	c.s.deleteElemLocked(c.c, cell, w)
	return true
}

// Each calls fn for every element in index order until fn returns false.
// fn must not write to the collection.
func (c *Coll) Each(fn func(member, value []byte) bool) {
	if c.c == nil {
		return
	}
	for _, w := range c.c.elems.words {
		if w == 0 {
			continue
		}
		b, h := c.s.entry(w)
		if !fn(h.key(b)[collIDLen:], h.value(b)) {
			return
		}
	}
}

// Random returns an element chosen with r, a random number. Cells are
// picked uniformly, so members after long probe runs are a little likelier,
// as with Redis's dictGetFairRandomKey approximations.
func (c *Coll) Random(r uint64) (member, value []byte) {
	if c.Len() == 0 {
		return nil, nil
	}
	words := c.c.elems.words
	i := int(r & uint64(len(words)-1))
	for words[i] == 0 {
		i = (i + 1) & (len(words) - 1)
	}
	b, h := c.s.entry(words[i])
	return h.key(b)[collIDLen:], h.value(b)
}

// Scan visits elements from cursor (0 starts) in hash order, about count
// of them, and returns the cursor to continue from (0 when done). Like
// SCAN, an element present for the whole scan is returned at least once.
func (c *Coll) Scan(cursor uint64, count int, fn func(member, value []byte)) uint64 {
	if c.Len() == 0 || cursor >= 1<<tagBits {
		return 0
	}
	next, done := c.s.scanTableLocked(&c.c.elems, cursor, max(count, 1), c.now, func(w uint64, _ []byte, _ *entryHeader) {
		b, h := c.s.entry(w)
		fn(h.key(b)[collIDLen:], h.value(b))
	})
	if done {
		return 0
	}
	return next
}

// MemoryUsage is the log bytes of the elements plus their index share.
func (c *Coll) MemoryUsage() int {
	if c.c == nil {
		return 0
	}
	return c.c.memoryBytes()
}

func (c *collection) memoryBytes() int {
	return c.bytes + 8*len(c.elems.words) + 8*len(c.ring) + c.treeBytes
}

// ---- lists ----

// A list's elements are indexed by position, not hashed: ring holds the
// word of the element with sequence number seq at ring[seq & (len-1)] for
// head <= seq < tail, so LINDEX and LRANGE read words in order and pushes
// and pops touch one cell. The sequence number is also in the element's
// key, which is how the cleaner finds the cell of an entry it moves.

// seqKey builds id+sequence number; the sign bit is flipped so that the
// bytes sort like the numbers.
func (c *Coll) seqKey(seq int64) []byte {
	b := c.s.ekey[:0]
	b = binary.LittleEndian.AppendUint64(b, c.c.id)
	b = binary.BigEndian.AppendUint64(b, uint64(seq)^1<<63)
	c.s.ekey = b
	return b
}

// seqOfKey is the sequence number in a list element's key.
func seqOfKey(k []byte) (int64, bool) {
	if len(k) != collIDLen+8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(k[collIDLen:]) ^ 1<<63), true
}

func (c *collection) cell(seq int64) *uint64 {
	return &c.ring[uint64(seq)&uint64(len(c.ring)-1)]
}

// reserveLocked makes room for n more elements, at either end.
func (s *shard) reserveLocked(l *collection, n int) {
	need := int(l.tail-l.head) + n
	if need <= len(l.ring) {
		return
	}
	size := max(4, len(l.ring))
	for size < need {
		size *= 2
	}
	s.resizeRingLocked(l, size)
}

func (s *shard) resizeRingLocked(l *collection, size int) {
	ring := make([]uint64, size)
	for seq := l.head; seq < l.tail; seq++ {
		ring[uint64(seq)&uint64(size-1)] = *l.cell(seq)
	}
	atomic.AddInt64(&s.e.indexBytes, int64(8*(size-len(l.ring))))
	l.ring = ring
}

// shrinkRingLocked gives memory back once a list is at an eighth of its ring.
func (s *shard) shrinkRingLocked(l *collection) {
	n := int(l.tail - l.head)
	if len(l.ring) > 8 && n*8 < len(l.ring) {
		s.resizeRingLocked(l, len(l.ring)/2)
	}
}

// listPutLocked writes val as the element with sequence number seq, whose
// cell must be inside the ring, replacing the element there if any.
func (c *Coll) listPutLocked(seq int64, val []byte) {
	s, l := c.s, c.c
	k := c.seqKey(seq)
	seg, off, size := s.appendLocked(TypeElement, l.pdb, l.slot, s.e.version.Add(1), 0, 0, k, val, false)
	s.addLive(seg, size)
	l.bytes += size
	cell := l.cell(seq)
	if old := *cell; old != 0 {
		_, h := s.entry(old)
		l.bytes -= h.size
		s.killLocked(old)
	}
	*cell = makeWord(0, false, seg.id, off)
	if len(val) > l.info.MaxElemLen {
		l.info.MaxElemLen = len(val)
	}
}

// listKillLocked removes the element with sequence number seq from its
// cell (the caller moves head or tail).
func (c *Coll) listKillLocked(seq int64) {
	s, l := c.s, c.c
	cell := l.cell(seq)
	w := *cell
	if w == 0 {
		return
	}
	b, h := s.entry(w)
	l.bytes -= h.size
	if s.e.opts.Durable {
		s.appendMarkerLocked(typeTombstone, l.pdb, l.slot, h.key(b))
	}
	s.killLocked(w)
	*cell = 0
}

func (c *Coll) notePeak() {
	if n := int(c.c.tail - c.c.head); n > c.c.info.PeakLen {
		c.c.info.PeakLen = n
	}
}

// ListIndex returns element i (0 is the head); i must be in [0, Len()).
func (c *Coll) ListIndex(i int) []byte {
	b, h := c.s.entry(*c.c.cell(c.c.head + int64(i)))
	return h.value(b)
}

// ListSet overwrites element i, which must exist.
func (c *Coll) ListSet(i int, value []byte) error {
	if len(value) > MaxValueLen {
		return ErrTooLarge
	}
	c.listPutLocked(c.c.head+int64(i), value)
	return nil
}

// ListPush adds value at the head (left) or the tail.
func (c *Coll) ListPush(left bool, value []byte) error {
	if len(value) > MaxValueLen {
		return ErrTooLarge
	}
	if err := c.ensure(); err != nil {
		return err
	}
	l := c.c
	if l.tail == l.head {
		l.head, l.tail = 0, 0
	}
	c.s.reserveLocked(l, 1)
	if left {
		c.listPutLocked(l.head-1, value)
		l.head--
	} else {
		c.listPutLocked(l.tail, value)
		l.tail++
	}
	c.notePeak()
	return nil
}

// ListPop removes the head (left) or tail element and appends it to dst.
func (c *Coll) ListPop(left bool, dst []byte) ([]byte, bool) {
	if c.Len() == 0 {
		return dst, false
	}
	l := c.c
	seq := l.tail - 1
	if left {
		seq = l.head
	}
	b, h := c.s.entry(*l.cell(seq))
	dst = append(dst, h.value(b)...)
	c.listKillLocked(seq)
	if left {
		l.head++
	} else {
		l.tail--
	}
	c.s.shrinkRingLocked(l)
	return dst, true
}

// moveListElem copies the element at seq from to seq to, whose cell must be
// inside the ring (it may hold an element, which is replaced).
func (c *Coll) moveListElem(from, to int64) {
	b, h := c.s.entry(*c.c.cell(from))
	// val stays valid: writing "to" never frees the segment of "from".
	c.listPutLocked(to, h.value(b))
}

// ListInsert inserts value so that it becomes element i (0 <= i <= Len()),
// shifting the shorter side of the list by one: O(min(i, Len()-i)).
func (c *Coll) ListInsert(i int, value []byte) error {
	n := c.Len()
	if i <= 0 || i >= n {
		return c.ListPush(i <= 0, value)
	}
	if len(value) > MaxValueLen {
		return ErrTooLarge
	}
	l := c.c
	c.s.reserveLocked(l, 1)
	if i < n/2 {
		for k := int64(0); k < int64(i); k++ {
			c.moveListElem(l.head+k, l.head+k-1)
		}
		l.head--
	} else {
		for k := int64(n - 1); k >= int64(i); k-- {
			c.moveListElem(l.head+k, l.head+k+1)
		}
		l.tail++
	}
	c.listPutLocked(l.head+int64(i), value)
	c.notePeak()
	return nil
}

// ListRemove removes the elements at the given positions (ascending, each
// in [0, Len())), closing the gaps toward the head: O(Len() - first).
func (c *Coll) ListRemove(positions []int) {
	if len(positions) == 0 || c.Len() == 0 {
		return
	}
	l := c.c
	n := c.Len()
	dst := positions[0]
	p := 0
	for src := positions[0]; src < n; src++ {
		if p < len(positions) && positions[p] == src {
			p++
			continue
		}
		c.moveListElem(l.head+int64(src), l.head+int64(dst))
		dst++
	}
	for k := n - 1; k >= dst; k-- {
		c.listKillLocked(l.head + int64(k))
	}
	l.tail = l.head + int64(dst)
	c.s.shrinkRingLocked(l)
}

// ListTrim keeps elements [start, stop] (already clamped by the caller:
// 0 <= start, stop < Len(); start > stop empties the list).
func (c *Coll) ListTrim(start, stop int) {
	n := c.Len()
	if n == 0 {
		return
	}
	if start > stop {
		start, stop = n, n-1
	}
	l := c.c
	for k := n - 1; k > stop; k-- {
		c.listKillLocked(l.head + int64(k))
		l.tail--
	}
	for k := 0; k < start; k++ {
		c.listKillLocked(l.head)
		l.head++
	}
	c.s.shrinkRingLocked(l)
}

// ---- sorted sets ----

func (s *shard) scoreOf(w uint64) float64 {
	b, h := s.entry(w)
	return decodeScore(h.value(b))
}

func decodeScore(v []byte) float64 {
	if len(v) < 8 {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(v))
}

// compareMembers orders sorted-set items by score, then member bytes read
// from the log through their words.
func (s *shard) compareMembers(a, b ranktree.Item) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	case a.Ref == b.Ref:
		return 0
	}
	return compareBytes(s.keyOf(a.Ref)[collIDLen:], s.keyOf(b.Ref)[collIDLen:])
}

func compareBytes(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// ZScore returns member's score.
func (c *Coll) ZScore(member []byte) (float64, bool) {
	if c.c == nil {
		return 0, false
	}
	_, _, w := c.findElem(c.elemKey(member))
	if w == 0 {
		return 0, false
	}
	return c.s.scoreOf(w), true
}

// ZAdd sets member's score and reports whether the member is new.
func (c *Coll) ZAdd(member []byte, score float64) (bool, error) {
	if len(member) > MaxValueLen {
		return false, ErrTooLarge
	}
	if err := c.ensure(); err != nil {
		return false, err
	}
	s, z := c.s, c.c
	k := c.elemKey(member)
	hash, cell, w := c.findElem(k)
	if w != 0 {
		old := s.scoreOf(w)
		if old == score && math.Signbit(old) == math.Signbit(score) {
			return false, nil
		}
		z.order.Delete(ranktree.Item{Score: old, Ref: w}, s.zcmp)
	}
	var val [8]byte
	binary.LittleEndian.PutUint64(val[:], math.Float64bits(score))
	nw := s.putElemLocked(z, cell, w, hash, k, val[:])
	z.order.Insert(ranktree.Item{Score: score, Ref: nw}, s.zcmp)
	return w == 0, nil
}

// ZRank is member's 0-based rank by ascending (score, member).
func (c *Coll) ZRank(member []byte) (int, bool) {
	if c.c == nil {
		return 0, false
	}
	_, _, w := c.findElem(c.elemKey(member))
	if w == 0 {
		return 0, false
	}
	return c.c.order.Rank(ranktree.Item{Score: c.s.scoreOf(w), Ref: w}, c.s.zcmp)
}

// ZAt returns the element of rank i, which must be in [0, Len()).
func (c *Coll) ZAt(i int) ([]byte, float64) {
	it := c.c.order.At(i)
	return c.s.keyOf(it.Ref)[collIDLen:], it.Score
}

// ZCountBelow is the number of elements whose score is below score (or at
// most score when inclusive): the rank where a range starting above it
// begins.
func (c *Coll) ZCountBelow(score float64, inclusive bool) int {
	if c.Len() == 0 {
		return 0
	}
	return c.c.order.Search(func(it ranktree.Item) bool {
		return it.Score < score || (inclusive && it.Score == score)
	})
}

// ZCountLexBelow is ZCountBelow by member bytes, for sorted sets whose
// elements share one score (ZRANGEBYLEX's contract).
func (c *Coll) ZCountLexBelow(member []byte, inclusive bool) int {
	if c.Len() == 0 {
		return 0
	}
	return c.c.order.Search(func(it ranktree.Item) bool {
		d := compareBytes(c.s.keyOf(it.Ref)[collIDLen:], member)
		return d < 0 || (inclusive && d == 0)
	})
}

// ZAscend visits ranks from, from+1, ... until fn returns false.
func (c *Coll) ZAscend(from int, fn func(i int, member []byte, score float64) bool) {
	if c.Len() == 0 {
		return
	}
	c.c.order.Ascend(from, func(i int, it ranktree.Item) bool {
		return fn(i, c.s.keyOf(it.Ref)[collIDLen:], it.Score)
	})
}

// ZDescend visits ranks from, from-1, ..., 0 until fn returns false.
func (c *Coll) ZDescend(from int, fn func(i int, member []byte, score float64) bool) {
	if c.Len() == 0 {
		return
	}
	c.c.order.Descend(from, func(i int, it ranktree.Item) bool {
		return fn(i, c.s.keyOf(it.Ref)[collIDLen:], it.Score)
	})
}

// ZRemoveAt removes the element of rank i, appending its member to dst.
func (c *Coll) ZRemoveAt(i int, dst []byte) ([]byte, float64) {
	it := c.c.order.DeleteAt(i)
	k := c.s.keyOf(it.Ref)
	dst = append(dst, k[collIDLen:]...)
	_, cell, w := c.findElem(c.elemKey(dst[len(dst)-(len(k)-collIDLen):]))
	c.s.deleteElemLocked(c.c, cell, w)
	return dst, it.Score
}

// rankItem is a sorted-set element in its order tree.
type rankItem = ranktree.Item

// heldCollectionID is the id a collection key's entry names, 0 for any
// other entry.
func (s *shard) heldCollectionID(w uint64) uint64 {
	// The kind byte alone answers for strings, on every overwrite's path.
	if !isCollection(Type(s.segs[wordSeg(w)].data[wordOff(w)+offKind] & kindMask)) {
		return 0
	}
	b, h := s.entry(w)
	return headerID(h.value(b))
}

// attachment is a collection to put back in a shard's map once a Multi's
// writes are applied.
type attachment struct {
	to *shard
	c  *collection
}

// handOverCollectionsLocked prepares Multi writes that store a collection
// key's value under another key (RENAME, MOVE, COPY hand the source's value
// over as is). When the same call deletes the key that held the
// collection, the collection moves with the key: it is taken out of its
// shard's map now, so deleting the old key does not drop it, and returned
// to be attached again after the writes (re-appended into the new key's
// shard if that differs). Otherwise the elements are copied under a new id
// and the write is changed to name it.
func (e *Engine) handOverCollectionsLocked(keys []KeyRef, refs []keyRef, vals []*Value, writes []Write) []attachment {
	var attach []attachment
	for i := range writes {
		wr := &writes[i]
		if i >= len(keys) || wr.Op != Put || !isCollection(wr.Type) {
			continue
		}
		id := headerID(wr.Data)
		src := -1
		for j, v := range vals {
			if v != nil && v.Type == wr.Type && headerID(v.Data) == id {
				src = j
				break
			}
		}
		if src < 0 {
			continue
		}
		from, to := refs[src].s, refs[i].s
		c := from.colls[id]
		if c == nil {
			continue
		}
		pdb, slot := e.dbMap[keys[i].DB], refs[i].slot
		if src < len(writes) && writes[src].Op == Delete {
			delete(from.colls, id)
			if to != from {
				nc := to.copyCollectionLocked(c, id, pdb, slot)
				from.colls[id] = c
				from.dropCollectionLocked(c)
				c = nc
			}
			c.pdb, c.slot = pdb, slot
			attach = append(attach, attachment{to: to, c: c})
			continue
		}
		nc := to.copyCollectionLocked(c, e.version.Add(1), pdb, slot)
		to.colls[nc.id] = nc
		wr.Data = binary.LittleEndian.AppendUint64(nil, nc.id)
	}
	return attach
}

// copyCollectionLocked appends a copy of every element of c (which may live
// in another shard, also locked) to this shard's log under id, and returns
// the new collection; the caller puts it in the map.
func (s *shard) copyCollectionLocked(c *collection, id uint64, pdb int, slot uint16) *collection {
	from := s.e.shards[int(c.slot)&(len(s.e.shards)-1)]
	nc := &collection{id: id, typ: c.typ, pdb: pdb, slot: slot, head: c.head, tail: c.head, info: c.info}
	if c.typ == TypeList {
		s.resizeRingLocked(nc, max(4, len(c.ring)))
		dst := Coll{e: s.e, s: s, c: nc, typ: TypeList}
		for seq := c.head; seq < c.tail; seq++ {
			b, h := from.entry(*c.cell(seq))
			dst.listPutLocked(seq, h.value(b))
		}
		nc.tail = c.tail
		return nc
	}
	var key []byte
	for _, w := range c.elems.words {
		if w == 0 {
			continue
		}
		b, h := from.entry(w)
		key = binary.LittleEndian.AppendUint64(key[:0], id)
		key = append(key, h.key(b)[collIDLen:]...)
		nw := s.putElemLocked(nc, -1, 0, xxh3.Hash(key), key, h.value(b))
		if c.typ == TypeZSet {
			nc.order.Insert(rankItem{Score: decodeScore(h.value(b)), Ref: nw}, s.zcmp)
		}
	}
	if c.typ == TypeZSet {
		s.syncTreeBytesLocked(nc)
	}
	return nc
}
