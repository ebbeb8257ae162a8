package engine

// KeyEvent is a deletion the engine makes on its own, which the server may
// want to announce (Redis's "expired" and "evicted" keyspace events).
type KeyEvent uint8

const (
	// KeyExpired: the key's TTL passed; it was deleted by lazy expiry (an
	// access), active expiry, the cleaner or RandomKey.
	KeyExpired KeyEvent = iota + 1
	// KeyEvicted: the maxmemory policy deleted the key.
	KeyEvicted
)

// KeyEventFunc receives the engine's own deletions: the logical database
// and the key. It runs on the goroutine that deletes, with the key's shard
// lock held, just before the deletion: it must not call the Engine or
// block, and key is engine memory, valid only during the call.
type KeyEventFunc func(ev KeyEvent, db int, key []byte)

// SetKeyEventFunc installs fn, or removes it when fn is nil. With none
// installed a deletion costs one atomic load more.
func (e *Engine) SetKeyEventFunc(fn KeyEventFunc) {
	if fn == nil {
		e.keyEvents.Store(nil)
		return
	}
	e.keyEvents.Store(&fn)
}

// noteDeletionLocked reports the key at w, in physical database pdb, to the
// KeyEventFunc; s.mu is held and the entry not yet deleted.
func (s *shard) noteDeletionLocked(ev KeyEvent, w uint64, pdb int) {
	fn := s.e.keyEvents.Load()
	if fn == nil {
		return
	}
	db := pdb
	for logical, p := range s.e.dbMap {
		if p == pdb {
			db = logical
			break
		}
	}
	(*fn)(ev, db, s.keyOf(w))
}
