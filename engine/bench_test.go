package engine_test

// Benchmarks of the engine against the obvious Go baselines: a map guarded by
// one sync.RWMutex, and the same split into 256 independently locked shards.
//
//	go test -run '^$' -bench 'Get|Set' -cpu 2 ./engine
//	go test -run '^$' -bench BytesPerKey1M -benchtime 1x ./engine
//	go test -run '^$' -bench GC10M -benchtime 3x -timeout 30m ./engine
//
// The memory and GC benchmarks load a million and ten million keys; the
// ten-million one only runs when -bench names it (see runOnlyWhenNamed), so
// `go test -bench .` stays affordable.

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nebredis/nebredis/engine"
	"github.com/zeebo/xxh3"
)

// benchKeys is how many distinct keys the GET/SET benchmarks cycle through:
// enough to spread over every shard and miss the CPU caches a little, few
// enough to load in a blink.
const benchKeys = 1 << 16

var valueSizes = []int{8, 32, 128, 512, 4096}

// store is what the GET/SET benchmarks drive: the engine or a baseline.
type store interface {
	get(key, dst []byte) ([]byte, bool)
	set(key, val []byte)
	close()
}

type engineStore struct{ e *engine.Engine }

func (s engineStore) get(key, dst []byte) ([]byte, bool) {
	v, ok, _ := s.e.Get(0, key, dst)
	return v, ok
}
func (s engineStore) set(key, val []byte) { _ = s.e.Set(0, key, val, 0) }
func (s engineStore) close()              { _ = s.e.Close() }

// rwMapStore is the simplest correct concurrent store in Go.
type rwMapStore struct {
	mu sync.RWMutex // guards m
	m  map[string][]byte
}

func (s *rwMapStore) get(key, dst []byte) ([]byte, bool) {
	s.mu.RLock()
	v, ok := s.m[string(key)]
	dst = append(dst, v...)
	s.mu.RUnlock()
	return dst, ok
}

// set copies val, as any store that does not own its caller's buffer must.
func (s *rwMapStore) set(key, val []byte) {
	v := append([]byte(nil), val...)
	s.mu.Lock()
	s.m[string(key)] = v
	s.mu.Unlock()
}
func (s *rwMapStore) close() {}

// shardedMapStore spreads keys over 256 rwMapStores by hash, the usual next
// step when one lock becomes the bottleneck.
type shardedMapStore struct{ shards [256]rwMapStore }

func newShardedMap() *shardedMapStore {
	s := &shardedMapStore{}
	for i := range s.shards {
		s.shards[i].m = make(map[string][]byte)
	}
	return s
}
func (s *shardedMapStore) shard(key []byte) *rwMapStore {
	return &s.shards[xxh3.Hash(key)&255]
}
func (s *shardedMapStore) get(key, dst []byte) ([]byte, bool) { return s.shard(key).get(key, dst) }
func (s *shardedMapStore) set(key, val []byte)                { s.shard(key).set(key, val) }
func (s *shardedMapStore) close()                             {}

var stores = []struct {
	name string
	open func(b *testing.B) store
}{
	{"engine", func(b *testing.B) store {
		e, err := engine.Open(engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return engineStore{e}
	}},
	{"rwmap", func(*testing.B) store { return &rwMapStore{m: make(map[string][]byte)} }},
	{"shardedmap", func(*testing.B) store { return newShardedMap() }},
}

// putKey writes the 16-byte key number i into dst ("key:" and 12 digits),
// without allocating.
func putKey(dst *[16]byte, i int) []byte {
	copy(dst[:4], "key:")
	for p := 15; p >= 4; p-- {
		dst[p] = byte('0' + i%10)
		i /= 10
	}
	return dst[:]
}

func makeKeys(n int) [][]byte {
	keys := make([][]byte, n)
	var buf [16]byte
	for i := range keys {
		keys[i] = append([]byte(nil), putKey(&buf, i)...)
	}
	return keys
}

func makeValue(n int) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte('a' + i%26)
	}
	return v
}

// goroutineStart hands each RunParallel goroutine a different starting key,
// so goroutines do not walk the shards in lockstep.
type goroutineStart struct{ n atomic.Int64 }

func (g *goroutineStart) next() int { return int(g.n.Add(7919)) % benchKeys }

// BenchmarkGet is a GET hit: the value is appended into a buffer the caller
// reuses, so the engine's hit path should not allocate at all.
func BenchmarkGet(b *testing.B) {
	keys := makeKeys(benchKeys)
	for _, size := range valueSizes {
		for _, st := range stores {
			b.Run(fmt.Sprintf("%s/val=%d", st.name, size), func(b *testing.B) {
				s := st.open(b)
				defer s.close()
				val := makeValue(size)
				for _, k := range keys {
					s.set(k, val)
				}
				var start goroutineStart
				b.ReportAllocs()
				b.SetBytes(int64(size))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					dst := make([]byte, 0, size)
					i := start.next()
					for pb.Next() {
						var ok bool
						dst, ok = s.get(keys[i], dst[:0])
						if !ok || len(dst) != size {
							b.Errorf("get %q: ok=%v len=%d", keys[i], ok, len(dst))
							return
						}
						if i++; i == benchKeys {
							i = 0
						}
					}
				})
			})
		}
	}
}

// BenchmarkGetMiss looks up keys that were never stored.
func BenchmarkGetMiss(b *testing.B) {
	keys := makeKeys(2 * benchKeys)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			defer s.close()
			val := makeValue(32)
			for _, k := range keys[:benchKeys] {
				s.set(k, val)
			}
			var start goroutineStart
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var dst []byte
				i := start.next()
				for pb.Next() {
					if _, ok := s.get(keys[benchKeys+i], dst[:0]); ok {
						b.Errorf("get %q: found a key never stored", keys[benchKeys+i])
						return
					}
					if i++; i == benchKeys {
						i = 0
					}
				}
			})
		})
	}
}

// BenchmarkSet overwrites existing keys, so the engine's cleaner runs
// concurrently and its cost is part of the result.
func BenchmarkSet(b *testing.B) {
	keys := makeKeys(benchKeys)
	for _, size := range valueSizes {
		for _, st := range stores {
			b.Run(fmt.Sprintf("%s/val=%d", st.name, size), func(b *testing.B) {
				s := st.open(b)
				defer s.close()
				val := makeValue(size)
				for _, k := range keys {
					s.set(k, val)
				}
				var start goroutineStart
				b.ReportAllocs()
				b.SetBytes(int64(size))
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := start.next()
					for pb.Next() {
						s.set(keys[i], val)
						if i++; i == benchKeys {
							i = 0
						}
					}
				})
			})
		}
	}
}

// settle collects garbage and hands free pages back to the OS so RSS shows
// what is live.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
}

const (
	perKeyKeys   = 1_000_000
	perKeyValLen = 32
)

// BenchmarkBytesPerKey1M stores a million 16-byte keys with 32-byte values
// and reports the growth of process RSS per key (the number to compare with
// redis-server's used_memory_rss), plus the engine's own accounting. One
// iteration is one full load; run it with -benchtime 1x.
func BenchmarkBytesPerKey1M(b *testing.B) {
	b.Run("engine", func(b *testing.B) {
		val := makeValue(perKeyValLen)
		var buf [16]byte
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			settle()
			before := engine.ProcessRSS()
			e, err := engine.Open(engine.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for i := 0; i < perKeyKeys; i++ {
				if err := e.Set(0, putKey(&buf, i), val, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			settle()
			rss := engine.ProcessRSS() - before
			st := e.Stats()
			if got := e.DBSize(0); got != perKeyKeys {
				b.Fatalf("DBSize = %d, want %d", got, perKeyKeys)
			}
			b.ReportMetric(float64(rss)/perKeyKeys, "B/key-rss")
			b.ReportMetric(float64(st.Used)/perKeyKeys, "B/key-used")
			b.ReportMetric(float64(st.Live)/perKeyKeys, "B/key-log")
			b.ReportMetric(float64(st.Index)/perKeyKeys, "B/key-index")
			_ = e.Close()
		}
	})
	b.Run("map", func(b *testing.B) {
		val := makeValue(perKeyValLen)
		var buf [16]byte
		for n := 0; n < b.N; n++ {
			b.StopTimer()
			settle()
			before := engine.ProcessRSS()
			s := &rwMapStore{m: make(map[string][]byte)}
			b.StartTimer()
			for i := 0; i < perKeyKeys; i++ {
				s.set(putKey(&buf, i), val)
			}
			b.StopTimer()
			settle()
			rss := engine.ProcessRSS() - before
			if len(s.m) != perKeyKeys {
				b.Fatalf("len = %d", len(s.m))
			}
			b.ReportMetric(float64(rss)/perKeyKeys, "B/key-rss")
			runtime.KeepAlive(s)
		}
	})
}

// runOnlyWhenNamed skips a benchmark too big for `-bench .`: it runs only
// when the -bench pattern mentions name literally.
func runOnlyWhenNamed(b *testing.B, name string) {
	f := flag.Lookup("test.bench")
	if f == nil || !strings.Contains(f.Value.String(), name) {
		b.Skipf("loads gigabytes; run with -bench %s", name)
	}
}

const gcKeys = 10_000_000

// gcMetrics are the runtime/metrics counters a forced GC is judged by.
var gcMetrics = []string{
	"/cpu/classes/gc/mark/assist:cpu-seconds",
	"/cpu/classes/gc/mark/dedicated:cpu-seconds",
	"/cpu/classes/gc/mark/idle:cpu-seconds",
	"/cpu/classes/gc/pause:cpu-seconds",
	"/gc/scan/heap:bytes",
	"/gc/heap/live:bytes",
}

func readGCMetrics() (markCPU, pauseCPU, scanHeap, liveHeap float64) {
	s := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	val := func(i int) float64 {
		switch s[i].Value.Kind() {
		case metrics.KindFloat64:
			return s[i].Value.Float64()
		case metrics.KindUint64:
			return float64(s[i].Value.Uint64())
		}
		return 0
	}
	return val(0) + val(1) + val(2), val(3), val(4), val(5)
}

// measureForcedGC times b.N forced collections with data already loaded:
// ns/op is the wall time of runtime.GC() (a whole cycle: mark, both
// stop-the-world pauses and the sweep), and the metrics split out the
// stop-the-world pause, the CPU spent marking and the heap the GC had to scan.
func measureForcedGC(b *testing.B) {
	settle()
	var before, after debug.GCStats
	debug.ReadGCStats(&before)
	mark0, _, _, _ := readGCMetrics()
	b.ResetTimer()
	var maxWall time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		runtime.GC()
		maxWall = max(maxWall, time.Since(t0))
	}
	b.StopTimer()
	debug.ReadGCStats(&after)
	mark1, _, scan, live := readGCMetrics()
	gcs := after.NumGC - before.NumGC
	if gcs == 0 {
		gcs = 1
	}
	var maxPause time.Duration
	for _, p := range after.Pause[:min(len(after.Pause), int(gcs))] {
		maxPause = max(maxPause, p)
	}
	b.ReportMetric(float64(after.PauseTotal-before.PauseTotal)/float64(gcs)/1e6, "pause-ms/gc")
	b.ReportMetric(float64(maxPause)/1e6, "max-pause-ms")
	b.ReportMetric(float64(maxWall)/1e6, "max-wall-ms")
	b.ReportMetric((mark1-mark0)/float64(gcs)*1e3, "mark-cpu-ms/gc")
	b.ReportMetric(scan/(1<<20), "scan-heap-MiB")
	b.ReportMetric(live/(1<<20), "live-heap-MiB")
	b.ReportMetric(float64(engine.ProcessRSS())/(1<<20), "rss-MiB")
}

// BenchmarkGC10M measures what ten million keys (16-byte keys, 32-byte
// values) cost the Go garbage collector: the engine keeps them in mmap'd
// segments and pointer-free index words, the baseline in a
// map[string][]byte. Each sub-benchmark loads its data once (outside the
// timer) and drops it before the next one starts, so the two never share a
// heap.
//
// ns/op and max-wall-ms time whole runtime.GC calls, which also sweep the
// heap synchronously before returning (a background cycle sweeps lazily,
// off the critical path). The mark phase itself is mark-cpu-ms/gc of CPU;
// its wall time is the middle "clock" figure GODEBUG=gctrace=1 prints for
// each cycle (the concurrent mark between the two stop-the-world pauses):
//
//	GODEBUG=gctrace=1 go test -run '^$' -bench GC10M/engine -benchtime 5x ./engine
func BenchmarkGC10M(b *testing.B) {
	runOnlyWhenNamed(b, "GC10M")
	val := makeValue(perKeyValLen)
	var buf [16]byte

	var e *engine.Engine
	b.Run("engine", func(b *testing.B) {
		if e == nil {
			b.StopTimer()
			var err error
			if e, err = engine.Open(engine.Options{}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < gcKeys; i++ {
				if err := e.Set(0, putKey(&buf, i), val, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		measureForcedGC(b)
	})
	if e != nil {
		_ = e.Close()
		e = nil
	}

	var m map[string][]byte
	b.Run("map", func(b *testing.B) {
		if m == nil {
			b.StopTimer()
			m = make(map[string][]byte)
			for i := 0; i < gcKeys; i++ {
				m[string(putKey(&buf, i))] = append([]byte(nil), val...)
			}
			b.StartTimer()
		}
		measureForcedGC(b)
	})
	m = nil
	settle()
}
