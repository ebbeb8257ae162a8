package engine

import (
	"strconv"
	"sync"
	"syscall"
)

// segment is one piece of the log: a fixed-size mmap'd region that entries
// are appended to, or a dedicated region holding one large entry. Its memory
// is outside the Go heap, so the garbage collector never scans or moves it
// and freeing it returns pages to the OS at once.
//
// A segment belongs to one shard; every field is guarded by that shard's mu.
type segment struct {
	data    []byte
	id      uint16 // index in shard.segs, part of every index word
	seq     uint64 // engine-wide creation order; never reused
	used    int    // append offset
	live    int    // bytes of entries the index (or tombstone rule) still needs
	created int64  // ms, for the cleaner's age term
	open    bool   // a head being appended to: the cleaner leaves it alone
	large   bool   // dedicated allocation of one entry
}

func (s *segment) free() int { return len(s.data) - s.used }

// segmentPool recycles fixed-size segment memory between shards. Pooled
// memory has been madvise(DONTNEED)'d, so it costs no RSS until reused.
type segmentPool struct {
	size int
	mu   sync.Mutex // guards free
	free [][]byte
	max  int
}

func mmap(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		// Out of address space or memory: nothing sensible to continue with,
		// exactly like a failed malloc in redis-server.
		panic("engine: mmap of " + strconv.Itoa(n) + " bytes failed: " + err.Error())
	}
	return b
}

func munmap(b []byte) { _ = syscall.Munmap(b) }

func (p *segmentPool) get() []byte {
	p.mu.Lock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return mmap(p.size)
}

func (p *segmentPool) put(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
	p.mu.Lock()
	if len(p.free) < p.max {
		p.free = append(p.free, b)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	munmap(b)
}

func (p *segmentPool) close() {
	p.mu.Lock()
	for _, b := range p.free {
		munmap(b)
	}
	p.free = nil
	p.mu.Unlock()
}
