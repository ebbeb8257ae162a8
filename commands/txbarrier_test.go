package commands

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBarrierExcludes: while a session holds the barrier exclusively no
// shared hold is granted, and the exclusive hold waits for the shared
// holds taken before it.
func TestBarrierExcludes(t *testing.T) {
	var b execBarrier
	reader := &Session{ID: 7}
	writer := &Session{ID: 9}

	b.enter(reader) // a command running when EXEC arrives
	b.enter(writer)
	locked := make(chan struct{})
	go func() {
		b.lock(writer)
		close(locked)
	}()
	select {
	case <-locked:
		t.Fatal("EXEC got the barrier while a command held it")
	case <-time.After(20 * time.Millisecond):
	}
	b.exit(reader)
	<-locked

	entered := make(chan struct{})
	go func() {
		b.enter(reader)
		close(entered)
	}()
	select {
	case <-entered:
		t.Fatal("a command started while EXEC held the barrier")
	case <-time.After(20 * time.Millisecond):
	}
	b.exit(writer)
	<-entered
	b.exit(reader)
	if b.exclusive.Load() != 0 {
		t.Fatalf("exclusive = %d after every hold was released", b.exclusive.Load())
	}
	for i := range b.stripes {
		if n := b.stripes[i].n.Load(); n != 0 {
			t.Fatalf("stripe %d counts %d holds after every hold was released", i, n)
		}
	}
}

// TestBarrierStress: sessions update two counters one after the other
// under shared holds, as a command touching two shards would, while
// others check under exclusive holds that they never see one updated
// without the other.
func TestBarrierStress(t *testing.T) {
	var b execBarrier
	var x, y atomic.Int64
	stop := make(chan struct{})
	var readers, writers sync.WaitGroup
	for id := int64(1); id <= 4; id++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			sess := &Session{ID: id}
			for {
				select {
				case <-stop:
					return
				default:
				}
				b.enter(sess)
				x.Add(1)
				y.Add(1)
				b.exit(sess)
			}
		}()
	}
	var bad atomic.Int64
	for id := int64(10); id < 12; id++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			sess := &Session{ID: id}
			for i := 0; i < 300; i++ {
				b.enter(sess)
				b.lock(sess)
				if x.Load() != y.Load() {
					bad.Add(1)
				}
				b.exit(sess)
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if bad.Load() != 0 {
		t.Fatalf("an exclusive hold saw a half-done shared hold %d times", bad.Load())
	}
	if x.Load() == 0 {
		t.Fatal("no shared hold ran")
	}
}

// BenchmarkBarrierShared is the cost every command pays: a shared hold
// and its release, from as many sessions as GOMAXPROCS.
func BenchmarkBarrierShared(b *testing.B) {
	var br execBarrier
	var ids atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		sess := &Session{ID: ids.Add(1)}
		for pb.Next() {
			br.enter(sess)
			br.exit(sess)
		}
	})
}

// BenchmarkBarrierRWMutex is the baseline: the same hold as a
// sync.RWMutex read lock, one reader count shared by every session.
func BenchmarkBarrierRWMutex(b *testing.B) {
	var mu sync.RWMutex
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.RLock()
			mu.RUnlock()
		}
	})
}
