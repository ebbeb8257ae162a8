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

// Clean runs one cleaning pass over all shards, GOMAXPROCS shards at a time,
// and returns how many segments it freed. With force every closed segment
// holding garbage is cleaned whatever the utilization (tests use it to make
// the cleaner as aggressive as possible).
func (e *Engine) Clean(force bool) int {
	var next atomic.Int64
	var freed atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(e.shards))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(e.shards) {
					return
				}
				select {
				case <-e.stop:
					return
				default:
				}
				freed.Add(int64(e.shards[i].clean(force)))
			}
		}()
	}
	wg.Wait()
	return int(freed.Load())
}

// cleanBelow is the utilization under which a shard is cleaned: the
// configured target, raised when memory is close to maxmemory so garbage is
// reclaimed before any key is evicted.
func (e *Engine) cleanBelow() float64 {
	target := e.opts.CleanBelow
	if max := e.maxMemory.Load(); max > 0 && e.Used() > max*9/10 {
		target = max64f(target, 0.95)
	}
	return target
}

func max64f(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// clean frees segments of one shard until its utilization is above the
// target, choosing victims by LFS cost-benefit: (1-u)·age / (1+u).
func (s *shard) clean(force bool) int {
	freed := 0
	target := s.e.cleanBelow()
	for {
		s.mu.Lock()
		victim := s.pickVictimLocked(force, target)
		s.mu.Unlock()
		if victim == nil {
			return freed
		}
		start := time.Now()
		if s.cleanSegment(victim) {
			freed++
		}
		s.e.stats.cleanNanos.Add(int64(time.Since(start)))
		s.e.stats.cleaned.Add(1)
	}
}

func (s *shard) pickVictimLocked(force bool, target float64) *segment {
	if s.total == 0 {
		return nil
	}
	if !force {
		util := float64(s.live) / float64(s.total)
		// Not worth it: above target, or less than one segment of garbage.
		if util >= target || s.total-s.live < s.e.opts.SegmentSize {
			return nil
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
		return oldest
	}
	return best
}

// cleanSegment copies the live entries of seg into the survivor head and
// frees it. It takes the shard lock once per cleanChunk bytes.
func (s *shard) cleanSegment(seg *segment) bool {
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
	t, cell := s.liveCellLocked(seg, off, b, h)
	if cell < 0 {
		return 0
	}
	w := t.words[cell]
	if h.expireAt != 0 && h.expireAt < now {
		s.deleteLocked(t, cell, w, int(h.db))
		s.e.stats.expired.Add(1)
		return 0
	}
	ns, noff := s.copyEntryLocked(b, h)
	s.addLive(ns, h.size)
	s.addLive(seg, -h.size)
	t.words[cell] = w&^(segMask<<segShift|offMask) | uint64(ns.id)<<segShift | uint64(noff)
	return h.size
}

// copyEntryLocked copies an entry byte for byte (same version, checksum and
// access clock) to the survivor head.
func (s *shard) copyEntryLocked(b []byte, h *entryHeader) (*segment, int) {
	ns, noff := s.allocLocked(h.size, true)
	copy(ns.data[noff:noff+h.size], b[:h.size])
	return ns, noff
}
