package engine

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// Stats is a snapshot of the engine's memory and background work, the
// engine's part of INFO memory and INFO stats.
type Stats struct {
	Used      int64 // Segments + Index: what maxmemory is compared against
	Peak      int64 // highest Used seen
	Segments  int64 // appended log bytes, live and garbage
	Live      int64 // log bytes still needed
	Index     int64 // index words allocated
	MaxMemory int64
	Policy    Policy

	ExpiredKeys     int64
	EvictedKeys     int64
	CleanedSegments int64
	CleanerCopied   int64 // bytes the cleaner copied
	CleanerNanos    int64 // time the cleaner spent
}

// Utilization is the share of the log that is live.
func (st Stats) Utilization() float64 {
	if st.Segments == 0 {
		return 1
	}
	return float64(st.Live) / float64(st.Segments)
}

// Stats returns a snapshot; fields are read one by one, not atomically together.
func (e *Engine) Stats() Stats {
	seg := atomic.LoadInt64(&e.segBytes)
	idx := atomic.LoadInt64(&e.indexBytes)
	st := Stats{
		Used:            seg + idx,
		Peak:            e.peakBytes.Load(),
		Segments:        seg,
		Live:            atomic.LoadInt64(&e.liveBytes),
		Index:           idx,
		MaxMemory:       e.maxMemory.Load(),
		Policy:          Policy(e.policy.Load()),
		ExpiredKeys:     e.stats.expired.Load(),
		EvictedKeys:     e.stats.evicted.Load(),
		CleanedSegments: e.stats.cleaned.Load(),
		CleanerCopied:   e.stats.cleanedBytes.Load(),
		CleanerNanos:    e.stats.cleanNanos.Load(),
	}
	if st.Peak < st.Used {
		st.Peak = st.Used
	}
	return st
}

// ResetStats zeroes the counters CONFIG RESETSTAT resets.
func (e *Engine) ResetStats() {
	e.stats.expired.Store(0)
	e.stats.evicted.Store(0)
	e.peakBytes.Store(e.Used())
}

// KeyMemoryUsage is MEMORY USAGE: the bytes a key takes in the log plus its
// share of the index, and for a collection every element's entry, its
// element index and sorted-set order.
func (e *Engine) KeyMemoryUsage(db int, key []byte) (int, bool) {
	if e.checkDB(db) != nil {
		return 0, false
	}
	r := e.locate(key)
	now := e.clock.NowMs()
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	t, _, w := e.lookupLocked(r, e.dbMap[db], key, now)
	if w == 0 {
		return 0, false
	}
	b, h := r.s.entry(w)
	n := h.size + 8*len(t.words)/max(t.count, 1)
	if isCollection(h.kind) {
		if c := r.s.colls[headerID(h.value(b))]; c != nil {
			n += c.memoryBytes()
		}
	}
	return n, true
}

// ProcessRSS reads the resident set size of this process from /proc; 0 when
// it cannot.
func ProcessRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
