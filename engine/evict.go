package engine

import (
	"math/rand/v2"
	"sync/atomic"
)

// Used is the memory the engine holds for data: appended log bytes (live and
// garbage) plus index words. maxmemory is compared against it.
func (e *Engine) Used() int64 {
	return atomic.LoadInt64(&e.segBytes) + atomic.LoadInt64(&e.indexBytes)
}

// IndexBytes is the part of Used that lives on the Go heap: the index
// tables and sorted-set order trees. Whoever adds the process's Go heap to
// Used (INFO used_memory, SetOverhead) must subtract it, or it counts twice.
func (e *Engine) IndexBytes() int64 { return atomic.LoadInt64(&e.indexBytes) }

// SetOverhead tells the engine how much memory the process uses outside it
// (connection buffers, the Go heap); EnsureMemory counts it against
// maxmemory, as redis-server counts its own baseline in used_memory.
func (e *Engine) SetOverhead(n int64) { e.overhead.Store(n) }

// SetMaxMemory changes maxmemory (0 = none) and the eviction policy.
func (e *Engine) SetMaxMemory(n int64, p Policy) {
	e.maxMemory.Store(n)
	e.policy.Store(uint32(p))
}

// MaxMemory returns the current limit and policy.
func (e *Engine) MaxMemory() (int64, Policy) {
	return e.maxMemory.Load(), Policy(e.policy.Load())
}

// EnsureMemory is called before a command that may grow memory. Over
// maxmemory it first reclaims garbage with the cleaner, then evicts keys by
// the policy (eviction only turns live bytes into garbage: the cleaner is
// what returns memory), and returns ErrOOM when it cannot get under the limit.
func (e *Engine) EnsureMemory() error {
	max := e.maxMemory.Load() - e.overhead.Load()
	if e.maxMemory.Load() <= 0 {
		return nil
	}
	if e.Used() <= max {
		return nil
	}
	policy := Policy(e.policy.Load())
	exhausted := false
	for tries := 0; tries < 4096; tries++ {
		used := e.Used()
		if used <= max {
			return nil
		}
		if e.cleanFullest() {
			continue
		}
		// Another writer may have cleaned meanwhile.
		if e.Used() <= max {
			return nil
		}
		if policy == NoEviction || exhausted {
			return ErrOOM
		}
		// Evict about as many live bytes as we are over, then clean again.
		for freed := int64(0); freed < used-max; {
			n, ok := e.evictOne(policy)
			if !ok {
				exhausted = true // nothing left to evict: clean what we made
				break
			}
			freed += int64(n)
		}
	}
	return ErrOOM
}

// cleanFullest synchronously cleans one segment of the shard with the most
// garbage, sealing a head segment if that is where the garbage is. It
// reports whether a segment was freed.
func (e *Engine) cleanFullest() bool {
	var best *shard
	bestGarbage := 0
	for _, s := range e.shards {
		s.mu.Lock()
		g := s.total - s.live
		s.mu.Unlock()
		if g > bestGarbage {
			best, bestGarbage = s, g
		}
	}
	if best == nil {
		return false
	}
	best.mu.Lock()
	v := best.pickVictimLocked(true, 1)
	if v == nil {
		for _, h := range []*segment{best.head, best.surv} {
			if h != nil && h.live < h.used {
				h.open = false
				if best.head == h {
					best.head = nil
				} else {
					best.surv = nil
				}
				v = h
				break
			}
		}
	}
	best.mu.Unlock()
	if v == nil {
		return false
	}
	return best.cleanSegment(v)
}

// evictOne samples MaxMemorySamples keys, deletes the best candidate and
// returns the log bytes that became garbage.
func (e *Engine) evictOne(p Policy) (int, bool) {
	volatileOnly := p == VolatileLRU || p == VolatileRandom || p == VolatileTTL
	type cand struct {
		s     *shard
		key   []byte
		pdb   int
		score int64 // lower evicts first
	}
	var best *cand
	now := e.clock.NowMs()
	for i, misses := 0, 0; i < e.opts.MaxMemorySamples && misses < 2*len(e.shards); {
		s := e.shards[rand.IntN(len(e.shards))]
		s.mu.Lock()
		_, pdb, w := s.sampleLocked(volatileOnly)
		if w == 0 {
			s.mu.Unlock()
			misses++
			continue
		}
		i++
		b, h := s.entry(w)
		var score int64
		switch p {
		case AllKeysLRU, VolatileLRU:
			score = int64(binaryLE32(b[offClock:]))
		case VolatileTTL:
			score = h.expireAt
		default:
			score = 0
		}
		if best == nil || score < best.score {
			best = &cand{s: s, key: append([]byte(nil), h.key(b)...), pdb: pdb, score: score}
		}
		s.mu.Unlock()
		if p == AllKeysRandom || p == VolatileRandom {
			break
		}
	}
	_ = now
	if best == nil {
		return 0, false
	}
	r := e.locate(best.key)
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	t := r.s.tableIfAny(best.pdb, r.slot)
	if t == nil {
		return 0, true // deleted meanwhile
	}
	n := 0
	if cell, w := r.s.findLocked(t, r.hash, best.key); w != 0 {
		_, h := r.s.entry(w)
		n = h.size
		r.s.noteDeletionLocked(KeyEvicted, w, best.pdb)
		r.s.deleteLocked(t, cell, w, best.pdb)
		e.stats.evicted.Add(1)
	}
	return n, true
}

// sampleLocked picks a random key of the shard (in any database), only among
// keys with a TTL when volatileOnly: a random table, walking forward to the
// next one holding a candidate, then a random cell walking forward likewise.
func (s *shard) sampleLocked(volatileOnly bool) (*slotTable, int, uint64) {
	for pdb, ts := range s.tables {
		if ts == nil || s.keys[pdb] == 0 {
			continue
		}
		start := rand.IntN(len(ts))
		for k := 0; k < len(ts); k++ {
			t := &ts[(start+k)%len(ts)]
			if t.count == 0 {
				continue
			}
			mask := len(t.words) - 1
			from := rand.IntN(len(t.words))
			for c := 0; c < len(t.words); c++ {
				w := t.words[(from+c)&mask]
				if w != 0 && (!volatileOnly || wordTTL(w)) {
					return t, pdb, w
				}
			}
		}
	}
	return nil, 0, 0
}
