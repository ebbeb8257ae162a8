package engine

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// cleanChunk bounds how many log bytes the cleaner processes per hold of a
// shard lock, so requests on that shard wait microseconds, not milliseconds.
const cleanChunk = 64 << 10

func (e *Engine) cleanerLoop(interval time.Duration) {
	defer e.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.Clean(false)
		}
	}
}

// Clean runs one cleaning pass and returns how many segments it freed.
//
// Under maxmemory the cleaner works just in time: it stays idle until Used
// comes within 1/128 of the limit and then frees the best segments by
// cost-benefit across all shards (one worker per GOMAXPROCS, each over its
// own shards), so garbage is copied only when memory is actually needed and
// always from the cheapest victims. Without maxmemory each shard is kept
// above Options.CleanBelow utilization once it has a segment of garbage.
// With force every closed segment holding garbage is cleaned whatever the
// utilization (tests use it to make the cleaner as aggressive as possible).
func (e *Engine) Clean(force bool) int {
	if max := e.maxMemory.Load(); max > 0 && !force {
		mark := max - e.overhead.Load() - max/128
		return e.parallel(func(shards []*shard) int { return e.cleanGlobal(shards, mark) })
	}
	return e.parallel(func(shards []*shard) int {
		n := 0
		for _, s := range shards {
			n += s.clean(force, e.opts.CleanBelow)
		}
		return n
	})
}

// parallel splits the shards among GOMAXPROCS workers and sums what fn
// returns for each worker's share.
func (e *Engine) parallel(fn func(shards []*shard) int) int {
	workers := min(runtime.GOMAXPROCS(0), len(e.shards))
	var freed atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		var mine []*shard
		for i := w; i < len(e.shards); i += workers {
			mine = append(mine, e.shards[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			freed.Add(int64(fn(mine)))
		}()
	}
	wg.Wait()
	return int(freed.Load())
}

// cleanGlobal frees the best-scoring segments among shards while Used is
// above mark.
func (e *Engine) cleanGlobal(shards []*shard, mark int64) int {
	freed := 0
	for e.Used() > mark {
		select {
		case <-e.stop:
			return freed
		default:
		}
		var best *segment
		var owner *shard
		bestScore := -1.0
		for _, s := range shards {
			s.mu.Lock()
			if v, score := s.bestVictimLocked(true, 1); v != nil && score > bestScore {
				best, owner, bestScore = v, s, score
			}
			s.mu.Unlock()
		}
		if best == nil || !owner.cleanSegment(best) {
			return freed
		}
		freed++
	}
	return freed
}

// clean frees segments of one shard until its utilization is above the
// target, choosing victims by LFS cost-benefit: (1-u)·age / (1+u).
func (s *shard) clean(force bool, target float64) int {
	freed := 0
	for {
		select {
		case <-s.e.stop:
			return freed
		default:
		}
		s.mu.Lock()
		victim := s.pickVictimLocked(force, target)
		s.mu.Unlock()
		if victim == nil || !s.cleanSegment(victim) {
			return freed
		}
		freed++
	}
}

func (s *shard) pickVictimLocked(force bool, target float64) *segment {
	v, _ := s.bestVictimLocked(force, target)
	return v
}

// bestVictimLocked returns the closed segment with the best cost-benefit
// score and the score.
func (s *shard) bestVictimLocked(force bool, target float64) (*segment, float64) {
	if s.total == 0 {
		return nil, 0
	}
	if !force {
		util := float64(s.live) / float64(s.total)
		// Not worth it: above target, or less than one segment of garbage.
		if util >= target || s.total-s.live < s.e.opts.SegmentSize {
			return nil, 0
		}
	}
	now := s.e.clock.NowMs()
	var best *segment
	bestScore := -1.0
	var oldest *segment
	for _, seg := range s.segs {
		if seg == nil || seg.open || seg.large || seg.used == 0 {
			continue
		}
		if oldest == nil || seg.seq < oldest.seq {
			oldest = seg
		}
		if seg.live == seg.used {
			continue
		}
		u := float64(seg.live) / float64(seg.used)
		if !force && u >= target {
			continue
		}
		age := float64(now-seg.created) + 1
		score := (1 - u) * age / (1 + u)
		if score > bestScore {
			best, bestScore = seg, score
		}
	}
	// Durable tombstones pin every segment older than themselves; when they
	// take more than a tenth of the shard, clean the oldest segment so the
	// minimum live sequence number moves and they can be dropped.
	if s.e.opts.Durable && oldest != nil && s.tombs*10 > s.total && (best == nil || !force) {
		return oldest, bestScore
	}
	return best, bestScore
}

// cleanSegment copies the live entries of seg into the survivor head and
// frees it. It takes the shard lock once per cleanChunk bytes. Its wall
// time (lock waits included) is counted in Stats.CleanerNanos.
func (s *shard) cleanSegment(seg *segment) bool {
	start := time.Now()
	defer func() { s.e.stats.cleanNanos.Add(int64(time.Since(start))) }()
	off := 0
	copied := 0
	for {
		s.mu.Lock()
		if seg.data == nil {
			s.mu.Unlock()
			return false
		}
		minSeq := s.minSeqExceptLocked(seg)
		now := s.e.clock.NowMs()
		end := min(off+cleanChunk, seg.used)
		for off < end {
			b := seg.data[off:]
			h := parseHeader(b)
			copied += s.relocateLocked(seg, off, b, &h, minSeq, now)
			off += h.size
		}
		if off >= seg.used {
			ok := seg.live == 0
			if ok {
				s.freeSegmentLocked(seg)
				s.e.stats.cleaned.Add(1)
			}
			s.mu.Unlock()
			s.e.stats.cleanedBytes.Add(int64(copied))
			return ok
		}
		s.mu.Unlock()
	}
}

func (s *shard) minSeqExceptLocked(except *segment) uint64 {
	m := ^uint64(0)
	for _, seg := range s.segs {
		if seg != nil && seg != except && seg.seq < m {
			m = seg.seq
		}
	}
	return m
}

// relocateLocked handles one entry of a segment being cleaned and returns the
// bytes it copied.
func (s *shard) relocateLocked(seg *segment, off int, b []byte, h *entryHeader, minSeq uint64, now int64) int {
	switch h.kind {
	case typeTombstone, typeFlush:
		if !s.e.opts.Durable {
			return 0 // never counted live
		}
		covers, _ := binary.Uvarint(h.value(b))
		if minSeq >= covers {
			// No segment that could hold an older entry remains: drop it.
			s.addLive(seg, -h.size)
			s.tombs -= h.size
			return 0
		}
		ns, _ := s.copyEntryLocked(b, h)
		s.addLive(ns, h.size)
		s.addLive(seg, -h.size)
		return h.size
	}
	if h.kind == TypeElement {
		if c := s.colls[headerID(h.key(b))]; c != nil && c.typ == TypeList {
			return s.relocateListElemLocked(c, seg, off, b, h)
		}
	}
	t, cell := s.liveCellLocked(seg, off, b, h)
	if cell < 0 {
		return 0
	}
	w := t.words[cell]
	if h.expireAt != 0 && h.expireAt < now {
		s.noteDeletionLocked(KeyExpired, w, int(h.db))
		s.deleteLocked(t, cell, w, int(h.db))
		s.e.stats.expired.Add(1)
		return 0
	}
	ns, noff := s.copyEntryLocked(b, h)
	s.addLive(ns, h.size)
	s.addLive(seg, -h.size)
	nw := w&^(segMask<<segShift|offMask) | uint64(ns.id)<<segShift | uint64(noff)
	t.words[cell] = nw
	if h.kind == TypeElement {
		if c := s.colls[headerID(h.key(b))]; c.typ == TypeZSet {
			c.order.SetRef(rankItem{Score: decodeScore(h.value(b)), Ref: w}, nw, s.zcmp)
		}
	}
	return h.size
}

// relocateListElemLocked moves a list element if its cell still points at
// it: lists index elements by sequence number, not by hash.
func (s *shard) relocateListElemLocked(l *collection, seg *segment, off int, b []byte, h *entryHeader) int {
	seq, ok := seqOfKey(h.key(b))
	if !ok || seq < l.head || seq >= l.tail {
		return 0
	}
	cell := l.cell(seq)
	if wordSeg(*cell) != seg.id || wordOff(*cell) != off {
		return 0
	}
	ns, noff := s.copyEntryLocked(b, h)
	s.addLive(ns, h.size)
	s.addLive(seg, -h.size)
	*cell = makeWord(0, false, ns.id, noff)
	return h.size
}

// copyEntryLocked copies an entry byte for byte (same version, checksum and
// access clock) to the survivor head.
func (s *shard) copyEntryLocked(b []byte, h *entryHeader) (*segment, int) {
	ns, noff := s.allocLocked(h.size, true)
	copy(ns.data[noff:noff+h.size], b[:h.size])
	return ns, noff
}
