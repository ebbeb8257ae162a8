package engine

import "time"

// Active expiry, as Redis does it: a periodic cycle walks the index looking
// only at words with the TTL bit, deletes keys whose time has passed and
// keeps going while a good share of what it sees is expired. Lazy expiry on
// every access makes sure an expired key is never visible in between.
const (
	expireBatch     = 2048 // index cells examined per lock hold
	expireCycleTime = 25 * time.Millisecond
)

func (e *Engine) expireLoop(interval time.Duration) {
	defer e.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.ActiveExpire(expireCycleTime)
		}
	}
}

// ActiveExpire runs one active expiry cycle for at most budget and returns
// the number of keys it deleted.
func (e *Engine) ActiveExpire(budget time.Duration) int {
	deadline := time.Now().Add(budget)
	total := 0
	for _, s := range e.shards {
		for {
			n, seen := s.expireBatch(e.clock.NowMs())
			total += n
			// Keep going on this shard only while over a tenth of the
			// volatile keys seen were expired, as Redis's cycle does.
			if seen == 0 || n*10 < seen || time.Now().After(deadline) {
				break
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	e.stats.expired.Add(int64(total))
	return total
}

// expireBatch examines up to expireBatch cells from the shard's resume point
// and returns the keys it expired and the volatile keys it saw.
func (s *shard) expireBatch(now int64) (expired, seen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nslots := len(s.tables[0])
	if nslots == 0 {
		nslots = NumSlots >> s.e.shardBits
	}
	for examined := 0; examined < expireBatch; {
		if s.expDB >= len(s.tables) {
			s.expDB, s.expSlot, s.expCell = 0, 0, 0
			return
		}
		ts := s.tables[s.expDB]
		if ts == nil || s.keys[s.expDB] == 0 || s.expSlot >= len(ts) {
			s.expDB, s.expSlot, s.expCell = s.expDB+1, 0, 0
			examined++
			continue
		}
		t := &ts[s.expSlot]
		if s.expCell >= len(t.words) {
			s.expSlot, s.expCell = s.expSlot+1, 0
			examined++
			continue
		}
		w := t.words[s.expCell]
		examined++
		if w == 0 || !wordTTL(w) {
			s.expCell++
			continue
		}
		seen++
		if s.expiredLocked(w, now) {
			// The backward shift may pull a later word into this cell, so
			// look at the same cell again.
			s.noteDeletionLocked(KeyExpired, w, s.expDB)
			s.deleteLocked(t, s.expCell, w, s.expDB)
			expired++
			continue
		}
		s.expCell++
	}
	_ = nslots
	return
}
