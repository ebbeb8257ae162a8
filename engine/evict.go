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
// the policy, and returns ErrOOM when it cannot get under the limit.
func (e *Engine) EnsureMemory() error {
	max := e.maxMemory.Load()
	if max <= 0 || e.Used() <= max {
		return nil
	}
	policy := Policy(e.policy.Load())
	for tries := 0; tries < 1024 && e.Used() > max; tries++ {
		garbage := atomic.LoadInt64(&e.segBytes) - atomic.LoadInt64(&e.liveBytes)
		if garbage > int64(e.opts.SegmentSize) && e.cleanFullest() {
			continue
		}
		if policy == NoEviction || !e.evictOne(policy) {
			return ErrOOM
		}
	}
	if e.Used() > max {
		return ErrOOM
	}
	return nil
}

// cleanFullest cleans the shard with the most garbage, synchronously.
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
	best.mu.Unlock()
	if v == nil {
		return false
	}
	return best.cleanSegment(v)
}

// evictOne samples MaxMemorySamples keys and deletes the best candidate.
func (e *Engine) evictOne(p Policy) bool {
	volatileOnly := p == VolatileLRU || p == VolatileRandom || p == VolatileTTL
	type cand struct {
		s     *shard
		key   []byte
		pdb   int
		score int64 // lower evicts first
	}
	var best *cand
	now := e.clock.NowMs()
	for i := 0; i < e.opts.MaxMemorySamples; i++ {
		s := e.shards[rand.IntN(len(e.shards))]
		s.mu.Lock()
		t, pdb, w := s.sampleLocked(volatileOnly)
		if w == 0 {
			s.mu.Unlock()
			continue
		}
		_ = t
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
		return false
	}
	r := e.locate(best.key)
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	t := r.s.tableIfAny(best.pdb, r.slot)
	if t == nil {
		return true // deleted meanwhile: memory went down anyway
	}
	if cell, w := r.s.findLocked(t, r.hash, best.key); w != 0 {
		r.s.deleteLocked(t, cell, w, best.pdb)
		e.stats.evicted.Add(1)
	}
	return true
}

// sampleLocked picks a random key of the shard (in any database), only among
// keys with a TTL when volatileOnly.
func (s *shard) sampleLocked(volatileOnly bool) (*slotTable, int, uint64) {
	for pdb, ts := range s.tables {
		if ts == nil || s.keys[pdb] == 0 {
			continue
		}
		for attempt := 0; attempt < 16; attempt++ {
			t := &ts[rand.IntN(len(ts))]
			if t.count == 0 {
				continue
			}
			start := rand.IntN(len(t.words))
			for k := 0; k < len(t.words); k++ {
				w := t.words[(start+k)&(len(t.words)-1)]
				if w != 0 && (!volatileOnly || wordTTL(w)) {
					return t, pdb, w
				}
			}
		}
	}
	return nil, 0, 0
}
