package engine

import (
	"math/bits"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/xxh3"
)

// Engine is a sharded, log-structured key-value store. All methods are safe
// for concurrent use.
type Engine struct {
	opts       Options
	clock      Clock
	shards     []*shard
	shardBits  uint // log2(len(shards))
	largeEntry int
	pool       segmentPool

	version atomic.Uint64 // last version handed out
	segSeq  atomic.Uint64 // last segment sequence number handed out

	// Memory accounting, in bytes, updated with atomics by shards.
	segBytes   int64 // appended bytes of all segments
	liveBytes  int64 // bytes of entries still needed
	indexBytes int64 // index words allocated
	peakBytes  atomic.Int64

	// dbMap maps logical to physical databases (SWAPDB swaps two entries).
	// It is written only while every shard lock is held and read under any
	// shard lock.
	dbMap []int

	maxMemory atomic.Int64
	overhead  atomic.Int64 // process memory outside the engine, set by the server
	policy    atomic.Uint32

	stats counters

	keyEvents atomic.Pointer[KeyEventFunc] // notify.go; nil: nobody listens

	closeOnce sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
}

type counters struct {
	expired      atomic.Int64
	evicted      atomic.Int64
	cleaned      atomic.Int64 // segments cleaned
	cleanedBytes atomic.Int64 // bytes copied by the cleaner
	cleanNanos   atomic.Int64 // time spent cleaning
}

func (o *Options) fill() error {
	if o.Shards == 0 {
		o.Shards = 1 << bits.Len(uint(16*runtime.GOMAXPROCS(0)-1))
	}
	if o.Shards < 1 || o.Shards > NumSlots || o.Shards&(o.Shards-1) != 0 {
		return errorf("shards must be a power of two between 1 and %d, got %d", NumSlots, o.Shards)
	}
	if o.SegmentSize == 0 {
		o.SegmentSize = 8 << 20
	}
	if o.SegmentSize < 64<<10 || o.SegmentSize > maxSegOff {
		return errorf("segment size must be between 64 KiB and 64 MiB, got %d", o.SegmentSize)
	}
	if o.Databases == 0 {
		o.Databases = 16
	}
	if o.Databases < 1 || o.Databases > MaxDatabases {
		return errorf("databases must be between 1 and %d, got %d", MaxDatabases, o.Databases)
	}
	if o.MaxMemorySamples <= 0 {
		o.MaxMemorySamples = 5
	}
	if o.CleanerInterval == 0 {
		o.CleanerInterval = 20 * time.Millisecond
	}
	if o.ExpireInterval == 0 {
		o.ExpireInterval = 100 * time.Millisecond
	}
	if o.CleanBelow == 0 {
		o.CleanBelow = 0.9
	}
	return nil
}

// Open creates an engine and starts its cleaner and active-expiry goroutines.
func Open(opts Options) (*Engine, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, clock: opts.Clock, stop: make(chan struct{})}
	if e.clock == nil {
		now := time.Now()
		e.clock = &monotonicClock{start: now, startMs: now.UnixMilli()}
	}
	e.shardBits = uint(bits.TrailingZeros(uint(opts.Shards)))
	e.largeEntry = opts.SegmentSize / 4
	e.pool = segmentPool{size: opts.SegmentSize, max: 2 * runtime.GOMAXPROCS(0)}
	e.dbMap = make([]int, opts.Databases)
	for i := range e.dbMap {
		e.dbMap[i] = i
	}
	e.shards = make([]*shard, opts.Shards)
	for i := range e.shards {
		e.shards[i] = newShard(e, i)
	}
	e.maxMemory.Store(opts.MaxMemory)
	e.policy.Store(uint32(opts.Policy))
	if opts.CleanerInterval > 0 {
		e.wg.Add(1)
		go e.cleanerLoop(opts.CleanerInterval)
	}
	if opts.ExpireInterval > 0 {
		e.wg.Add(1)
		go e.expireLoop(opts.ExpireInterval)
	}
	return e, nil
}

// Close stops background work and releases all segment memory. The engine
// must not be used afterwards.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		close(e.stop)
		e.wg.Wait()
		for _, s := range e.shards {
			s.mu.Lock()
			for _, seg := range s.segs {
				if seg != nil {
					munmap(seg.data)
					seg.data = nil
				}
			}
			s.segs = s.segs[:1]
			s.tables = nil
			s.mu.Unlock()
		}
		e.pool.close()
	})
	return nil
}

// Databases is the number of logical databases.
func (e *Engine) Databases() int { return e.opts.Databases }

// Now is the engine clock in Unix milliseconds.
func (e *Engine) Now() int64 { return e.clock.NowMs() }

// monotonicClock is the default Clock: the wall clock at start plus the
// monotonic time since, which costs one vDSO read of the monotonic clock
// (about half of time.Now, which reads both) and no background goroutine.
// Like Redis's mstime it follows NTP slewing; a step of the wall clock after
// start is not seen.
type monotonicClock struct {
	start   time.Time
	startMs int64
}

func (c *monotonicClock) NowMs() int64 { return c.startMs + time.Since(c.start).Milliseconds() }

// keyRef is a key resolved to its shard and index position.
type keyRef struct {
	s    *shard
	slot uint16
	hash uint64
}

func (e *Engine) locate(key []byte) keyRef {
	slot := SlotOf(key)
	return keyRef{s: e.shards[int(slot)&(len(e.shards)-1)], slot: slot, hash: xxh3.Hash(key)}
}

func (e *Engine) checkDB(db int) error {
	if db < 0 || db >= e.opts.Databases {
		return ErrBadDB
	}
	return nil
}

// Value is a read-only view of one stored key handed to callbacks. Data
// aliases engine memory: it is valid only until the callback returns and
// must not be modified (its capacity equals its length, so append copies).
type Value struct {
	Type     Type
	Data     []byte
	ExpireAt int64 // Unix ms; 0 = no expiry
	Version  uint64
	// IdleSecs is the time since the key was last read or written.
	IdleSecs int64
}

// Op says what an update does to its key.
type Op uint8

const (
	Keep   Op = iota // leave the key as it is
	Put              // store Data with Type and ExpireAt
	Delete           // delete the key
	// Touch keeps the value but sets ExpireAt (EXPIRE, PERSIST, GETEX).
	Touch
)

// Write is what an update callback asks for.
type Write struct {
	Op       Op
	Type     Type
	Data     []byte
	ExpireAt int64
}

// lookupLocked finds a live key, deleting it first if it has expired.
func (e *Engine) lookupLocked(r keyRef, pdb int, key []byte, now int64) (*slotTable, int, uint64) {
	s := r.s
	t := s.tableIfAny(pdb, r.slot)
	if t == nil {
		return nil, -1, 0
	}
	cell, w := s.findLocked(t, r.hash, key)
	if w != 0 && s.expiredLocked(w, now) {
		s.noteDeletionLocked(KeyExpired, w, pdb)
		s.deleteLocked(t, cell, w, pdb)
		e.stats.expired.Add(1)
		cell, w = s.findLocked(t, r.hash, key)
	}
	return t, cell, w
}

func (s *shard) valueLocked(w uint64, now int64, touch bool) Value {
	b, h := s.entry(w)
	v := Value{Type: h.kind, Data: h.value(b), ExpireAt: h.expireAt, Version: h.version}
	clock := uint32(now / 1000)
	last := binaryLE32(b[offClock:])
	if clock > last {
		v.IdleSecs = int64(clock - last)
	}
	if touch {
		putLE32(b[offClock:], clock)
	}
	return v
}

// Get appends the string value of key to dst. It returns ErrWrongType for a
// key of another type. The caller owns the returned slice. The hit path does
// not allocate when dst has room.
func (e *Engine) Get(db int, key, dst []byte) ([]byte, bool, error) {
	if e.checkDB(db) != nil {
		return dst, false, ErrBadDB
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	_, _, w := e.lookupLocked(r, e.dbMap[db], key, now)
	if w == 0 {
		return dst, false, nil
	}
	b, h := r.s.entry(w)
	putLE32(b[offClock:], uint32(now/1000))
	if h.kind != TypeString {
		return dst, true, ErrWrongType
	}
	return append(dst, h.value(b)...), true, nil
}

// View calls fn with the key's value if it exists and returns whether it
// did. Reading counts as an access for LRU.
func (e *Engine) View(db int, key []byte, fn func(v *Value)) bool {
	return e.view(db, key, true, fn)
}

// Peek is View without updating the access time (OBJECT IDLETIME, TYPE).
func (e *Engine) Peek(db int, key []byte, fn func(v *Value)) bool {
	return e.view(db, key, false, fn)
}

func (e *Engine) view(db int, key []byte, touch bool, fn func(v *Value)) bool {
	if e.checkDB(db) != nil {
		return false
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	pdb := e.dbMap[db]
	_, _, w := e.lookupLocked(r, pdb, key, now)
	if w == 0 {
		return false
	}
	r.s.cb = r.s.valueLocked(w, now, touch)
	fn(&r.s.cb)
	r.s.cb = Value{}
	return true
}

// Exists reports whether key exists (and has not expired).
func (e *Engine) Exists(db int, key []byte) bool {
	return e.view(db, key, false, func(*Value) {})
}

// Set stores a string value. expireAt is Unix ms, 0 for none.
func (e *Engine) Set(db int, key, val []byte, expireAt int64) error {
	return e.Update(db, key, func(*Value, bool) Write {
		return Write{Op: Put, Type: TypeString, Data: val, ExpireAt: expireAt}
	})
}

// Delete removes key and reports whether it existed.
func (e *Engine) Delete(db int, key []byte) bool {
	existed := false
	_ = e.Update(db, key, func(_ *Value, ok bool) Write {
		existed = ok
		return Write{Op: Delete}
	})
	return existed
}

// Update runs fn with the current value of key (nil, false when absent)
// under the key's shard lock and applies the Write it returns, atomically
// with respect to every other operation on the key. fn must not call back
// into the engine.
func (e *Engine) Update(db int, key []byte, fn func(cur *Value, exists bool) Write) error {
	if err := e.checkDB(db); err != nil {
		return err
	}
	if len(key) > maxKeyLen {
		return ErrTooLarge
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	err := e.updateUnderLock(r, db, key, now, fn)
	e.notePeak()
	return err
}

// updateUnderLock holds the shard lock with a deferred unlock so that a
// panicking callback (which the connection layer contains) cannot leave the
// shard locked.
func (e *Engine) updateUnderLock(r keyRef, db int, key []byte, now int64, fn func(cur *Value, exists bool) Write) error {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	return e.updateLocked(r, e.dbMap[db], key, now, fn)
}

func (e *Engine) updateLocked(r keyRef, pdb int, key []byte, now int64, fn func(cur *Value, exists bool) Write) error {
	s := r.s
	t, cell, w := e.lookupLocked(r, pdb, key, now)
	var wr Write
	if w != 0 {
		s.cb = s.valueLocked(w, now, true)
		wr = fn(&s.cb, true)
		s.cb = Value{}
	} else {
		wr = fn(nil, false)
	}
	return e.applyLocked(r, pdb, key, t, cell, w, wr, now)
}

func (e *Engine) applyLocked(r keyRef, pdb int, key []byte, t *slotTable, cell int, w uint64, wr Write, now int64) error {
	s := r.s
	switch wr.Op {
	case Keep:
	case Delete:
		if w != 0 {
			s.deleteLocked(t, cell, w, pdb)
		}
	case Touch:
		if w == 0 {
			return nil
		}
		b, h := s.entry(w)
		// Copy the value out first: the new entry may land in the segment
		// the old one lives in, but never over it, so aliasing is safe.
		s.putLocked(t, cell, w, pdb, r.slot, r.hash, key, h.kind, h.value(b), wr.ExpireAt, now)
	case Put:
		if len(wr.Data) > MaxValueLen {
			return ErrTooLarge
		}
		if !wr.Type.isKey() {
			return ErrWrongType
		}
		if t == nil {
			t = s.table(pdb, r.slot)
			cell, w = -1, 0
		}
		if w != 0 {
			// Overwriting a collection key drops its elements, unless the
			// new entry names the same collection (RENAME onto itself).
			if id := s.heldCollectionID(w); id != 0 && !(isCollection(wr.Type) && headerID(wr.Data) == id) {
				s.dropHeldCollectionLocked(w)
			}
		}
		s.putLocked(t, cell, w, pdb, r.slot, r.hash, key, wr.Type, wr.Data, wr.ExpireAt, now)
	}
	return nil
}

// KeyRef names a key in a database for Multi.
type KeyRef struct {
	DB  int
	Key []byte
}

// Multi runs fn with the current values of several keys (possibly in
// different databases) while holding all their shard locks, then applies the
// writes it returns (one per key, in order) — the atomic building block of
// MSET, MSETNX, RENAME, COPY and MOVE. vals[i] is nil when keys[i] is absent.
// When the same key appears twice, writes apply in order.
func (e *Engine) Multi(keys []KeyRef, fn func(vals []*Value) []Write) error {
	// Small fixed arrays keep the common case (MSET of a few keys) off the
	// heap; larger calls spill.
	var refsBuf [16]keyRef
	var orderBuf [16]int
	refs, order, err := e.locateAll(keys, refsBuf[:0], orderBuf[:0])
	if err != nil {
		return err
	}
	now := e.clock.NowMs()
	e.lockShards(order)
	defer func() {
		e.unlockShards(order)
		e.notePeak()
	}()
	vals := make([]*Value, len(keys))
	var store []Value // one allocation for every existing key's view
	for i, k := range keys {
		_, _, w := e.lookupLocked(refs[i], e.dbMap[k.DB], k.Key, now)
		if w != 0 {
			if store == nil {
				store = make([]Value, len(keys))
			}
			store[i] = refs[i].s.valueLocked(w, now, true)
			vals[i] = &store[i]
		}
	}
	writes := fn(vals)
	// Values handed to fn alias the log; writes that reuse them must be
	// copied before any write can make an entry dead. One buffer holds
	// every copy.
	if store != nil {
		n := 0
		for i := range writes {
			if writes[i].Op == Put {
				n += len(writes[i].Data)
			}
		}
		buf := make([]byte, 0, n)
		for i := range writes {
			if writes[i].Op == Put {
				start := len(buf)
				buf = append(buf, writes[i].Data...)
				writes[i].Data = buf[start:len(buf):len(buf)]
			}
		}
	}
	attach := e.handOverCollectionsLocked(keys, refs, vals, writes)
	if err := e.applyAllLocked(keys, refs, writes, now); err != nil {
		return err
	}
	for _, a := range attach {
		a.to.colls[a.c.id] = a.c
	}
	return nil
}

// PutMany applies writes[i] to keys[i], in order, atomically with respect
// to every other operation on those keys, without reading them first
// (MSET). The writes' data must not alias engine memory, and they must not
// be collection keys.
func (e *Engine) PutMany(keys []KeyRef, writes []Write) error {
	var refsBuf [16]keyRef
	var orderBuf [16]int
	refs, order, err := e.locateAll(keys, refsBuf[:0], orderBuf[:0])
	if err != nil {
		return err
	}
	now := e.clock.NowMs()
	e.lockShards(order)
	defer func() {
		e.unlockShards(order)
		e.notePeak()
	}()
	for _, wr := range writes {
		if wr.Op == Put && isCollection(wr.Type) {
			return ErrWrongType
		}
	}
	return e.applyAllLocked(keys, refs, writes, now)
}

// applyAllLocked applies writes[i] to keys[i] in order, looking each key
// up again: an earlier write may have moved it.
func (e *Engine) applyAllLocked(keys []KeyRef, refs []keyRef, writes []Write, now int64) error {
	for i, wr := range writes {
		if i >= len(keys) || wr.Op == Keep {
			continue
		}
		k := keys[i]
		pdb := e.dbMap[k.DB]
		t, cell, w := e.lookupLocked(refs[i], pdb, k.Key, now)
		if err := e.applyLocked(refs[i], pdb, k.Key, t, cell, w, wr, now); err != nil {
			return err
		}
	}
	return nil
}

// locateAll resolves keys into refs and their sorted shard indexes.
func (e *Engine) locateAll(keys []KeyRef, refs []keyRef, order []int) ([]keyRef, []int, error) {
	for _, k := range keys {
		if err := e.checkDB(k.DB); err != nil {
			return nil, nil, err
		}
		if len(k.Key) > maxKeyLen {
			return nil, nil, ErrTooLarge
		}
		r := e.locate(k.Key)
		refs = append(refs, r)
		order = append(order, r.s.idx)
	}
	sort.Ints(order)
	return refs, order, nil
}

// lockAll takes every shard lock in order (SWAPDB, FLUSHALL).
func (e *Engine) lockAll() {
	for _, s := range e.shards {
		s.mu.Lock()
	}
}

func (e *Engine) unlockAll() {
	for _, s := range e.shards {
		s.mu.Unlock()
	}
}

// DBSize is the number of keys in db, counting keys that have expired but
// not yet been reclaimed (as Redis does).
func (e *Engine) DBSize(db int) int {
	if e.checkDB(db) != nil {
		return 0
	}
	n := 0
	for _, s := range e.shards {
		s.mu.Lock()
		n += s.keys[e.dbMap[db]]
		s.mu.Unlock()
	}
	return n
}

// KeysWithExpiry counts keys with a TTL in db (INFO keyspace's expires=).
func (e *Engine) KeysWithExpiry(db int) int {
	if e.checkDB(db) != nil {
		return 0
	}
	n := 0
	for _, s := range e.shards {
		s.mu.Lock()
		for _, t := range s.tables[e.dbMap[db]] {
			for _, w := range t.words {
				if wordTTL(w) {
					n++
				}
			}
		}
		s.mu.Unlock()
	}
	return n
}

// SwapDB exchanges the contents of two databases in O(1).
func (e *Engine) SwapDB(a, b int) error {
	if e.checkDB(a) != nil || e.checkDB(b) != nil {
		return ErrBadDB
	}
	e.lockAll()
	e.dbMap[a], e.dbMap[b] = e.dbMap[b], e.dbMap[a]
	e.unlockAll()
	return nil
}

// FlushDB deletes every key of db.
func (e *Engine) FlushDB(db int) error {
	if err := e.checkDB(db); err != nil {
		return err
	}
	for _, s := range e.shards {
		s.mu.Lock()
		s.flushLocked(e.dbMap[db])
		s.mu.Unlock()
	}
	return nil
}

// FlushAll deletes every key of every database.
func (e *Engine) FlushAll() {
	for _, s := range e.shards {
		s.mu.Lock()
		for pdb := range s.tables {
			s.flushLocked(pdb)
		}
		s.mu.Unlock()
	}
}

// flushLocked kills every entry of one database in this shard and writes a
// flush marker instead of one tombstone per key.
func (s *shard) flushLocked(pdb int) {
	ts := s.tables[pdb]
	if ts == nil {
		return
	}
	for i := range ts {
		t := &ts[i]
		for _, w := range t.words {
			if w != 0 {
				s.killLocked(w)
			}
		}
		atomic.AddInt64(&s.e.indexBytes, -int64(8*len(t.words)))
	}
	for _, c := range s.colls {
		if c.pdb == pdb {
			s.dropCollectionLocked(c)
		}
	}
	s.tables[pdb] = nil
	s.keys[pdb] = 0
	s.appendMarkerLocked(typeFlush, pdb, 0, nil)
}

func (e *Engine) notePeak() {
	u := atomic.LoadInt64(&e.segBytes) + atomic.LoadInt64(&e.indexBytes)
	for {
		p := e.peakBytes.Load()
		if u <= p || e.peakBytes.CompareAndSwap(p, u) {
			return
		}
	}
}

func binaryLE32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
