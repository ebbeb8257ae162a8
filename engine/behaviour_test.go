package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestConcurrentWriters: goroutines own disjoint key sets and check their
// own model while the cleaner runs; -race checks the locking.
func TestConcurrentWriters(t *testing.T) {
	e := openTest(t, Options{Shards: 4, SegmentSize: 64 << 10, CleanerInterval: time.Millisecond})
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(g)))
			m := map[string]string{}
			for i := 0; i < 30000; i++ {
				k := fmt.Sprintf("g%d:%d", g, rng.IntN(500))
				switch rng.IntN(3) {
				case 0:
					v := fmt.Sprintf("%d-%d", i, rng.Uint64())
					if err := e.Set(0, []byte(k), []byte(v), 0); err != nil {
						errs <- err
						return
					}
					m[k] = v
				case 1:
					e.Delete(0, []byte(k))
					delete(m, k)
				case 2:
					got, ok, _ := e.Get(0, []byte(k), nil)
					want, wok := m[k]
					if ok != wok || string(got) != want {
						errs <- fmt.Errorf("g%d: %s = %q want %q", g, k, got, want)
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkAccounting(t, e)
}

// TestLargeValues stores values far larger than a segment (100 MiB), which get
// a dedicated allocation that is returned as soon as they die.
func TestLargeValues(t *testing.T) {
	e := openTest(t, Options{})
	big := bytes.Repeat([]byte("0123456789abcdef"), 100<<20/16)
	if err := e.Set(0, []byte("big"), big, 0); err != nil {
		t.Fatal(err)
	}
	got, ok, err := e.Get(0, []byte("big"), nil)
	if err != nil || !ok || !bytes.Equal(got, big) {
		t.Fatalf("100 MiB value did not round-trip (ok=%v err=%v len=%d)", ok, err, len(got))
	}
	if used := e.Stats().Segments; used < 100<<20 {
		t.Fatalf("segments account %d bytes", used)
	}
	e.Delete(0, []byte("big"))
	if st := e.Stats(); st.Segments > 1<<20 {
		t.Fatalf("dedicated segment not freed: %d bytes still appended", st.Segments)
	}
	if err := e.Set(0, []byte("x"), make([]byte, MaxValueLen+1), 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over-large value: %v", err)
	}
}

// TestExpiryNeverVisible: once its time passes a key is gone for every read
// path, before any active cycle runs.
func TestExpiryNeverVisible(t *testing.T) {
	clock := newFakeClock(1_000_000)
	e := openTest(t, Options{Shards: 2, Clock: clock})
	for i := 0; i < 1000; i++ {
		exp := int64(0)
		if i%2 == 0 {
			exp = clock.NowMs() + 100
		}
		e.Set(0, []byte(fmt.Sprintf("k%d", i)), []byte("v"), exp)
	}
	clock.advance(100)
	if !e.Exists(0, []byte("k0")) {
		t.Fatal("a key is gone at exactly its expiry millisecond; Redis keeps it until after")
	}
	clock.advance(1)
	n := 0
	var cur uint64
	for {
		cur = e.Scan(0, cur, 10, func(k []byte, _ Type) {
			var i int
			fmt.Sscanf(string(k), "k%d", &i)
			if i%2 == 0 {
				t.Fatalf("scan returned expired %s", k)
			}
			n++
		})
		if cur == 0 {
			break
		}
	}
	if n != 500 {
		t.Fatalf("scan saw %d keys, want 500", n)
	}
	for i := 0; i < 200; i++ {
		k, ok := e.RandomKey(0, nil)
		var j int
		fmt.Sscanf(string(k), "k%d", &j)
		if !ok || j%2 == 0 {
			t.Fatalf("randomkey %q %v", k, ok)
		}
	}
	if _, ok, _ := e.Get(0, []byte("k0"), nil); ok {
		t.Fatal("get saw an expired key")
	}
	// Active expiry reclaims the rest without any access.
	for e.ActiveExpire(time.Second) > 0 {
	}
	if got := e.DBSize(0); got != 500 {
		t.Fatalf("dbsize after active expiry %d", got)
	}
	if got := e.KeysWithExpiry(0); got != 0 {
		t.Fatalf("volatile keys left: %d", got)
	}
}

// TestScanAcrossResizes: keys present for the whole scan are all returned
// even when tables grow and shrink and the cleaner moves entries mid-scan.
func TestScanAcrossResizes(t *testing.T) {
	e := openTest(t, Options{Shards: 1, SegmentSize: 64 << 10})
	for i := 0; i < 3000; i++ {
		e.Set(0, []byte(fmt.Sprintf("stay:%d", i)), []byte("v"), 0)
	}
	seen := map[string]bool{}
	var cur uint64
	round := 0
	for {
		cur = e.Scan(0, cur, 7, func(k []byte, _ Type) { seen[string(k)] = true })
		// Churn: grow (many new keys, some hash-tagged into one slot) then
		// shrink, and clean everything.
		for i := 0; i < 50; i++ {
			e.Set(0, []byte(fmt.Sprintf("{hot}churn:%d:%d", round, i)), []byte("x"), 0)
		}
		if round%3 == 2 {
			for i := 0; i < 50; i++ {
				e.Delete(0, []byte(fmt.Sprintf("{hot}churn:%d:%d", round-2, i)))
			}
		}
		e.Clean(true)
		round++
		if cur == 0 {
			break
		}
	}
	for i := 0; i < 3000; i++ {
		if !seen[fmt.Sprintf("stay:%d", i)] {
			t.Fatalf("scan missed stay:%d", i)
		}
	}
}

// TestHashTaggedSlotGrowsPastTag puts more than 2^21 cells' worth of keys
// in one slot's table, where homes need more bits than the stored tag.
func TestHashTaggedSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	e := openTest(t, Options{Shards: 1})
	const n = 50000
	for i := 0; i < n; i++ {
		e.Set(0, []byte(fmt.Sprintf("{g}%d", i)), []byte("v"), 0)
	}
	slot := SlotOf([]byte("{g}"))
	if c := e.CountKeysInSlot(0, slot); c != n {
		t.Fatalf("count %d", c)
	}
	keys := e.KeysInSlot(0, slot, 10, nil)
	if len(keys) != 10 {
		t.Fatalf("keysinslot %d", len(keys))
	}
	if d := e.DropSlot(0, slot); d != n {
		t.Fatalf("dropped %d", d)
	}
	if e.DBSize(0) != 0 || e.CountKeysInSlot(0, slot) != 0 {
		t.Fatal("slot not empty")
	}
	checkAccounting(t, e)
}

func TestSlotOf(t *testing.T) {
	// Values from the Redis Cluster specification and redis-cli CLUSTER KEYSLOT.
	for k, want := range map[string]uint16{
		"123456789": 12739, "foo": 12182, "{user1000}.following": 3443,
		"{user1000}.followers": 3443, "foo{}{bar}": 8363, "foo{{bar}}zap": 4015, "foo{bar}{zap}": 5061,
	} {
		if got := SlotOf([]byte(k)); got != want%NumSlots {
			t.Errorf("SlotOf(%q) = %d want %d", k, got, want)
		}
	}
}

func TestEvictionPolicies(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, VolatileLRU, AllKeysRandom, VolatileRandom, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			clock := newFakeClock(1_000_000_000)
			e := openTest(t, Options{Shards: 2, SegmentSize: 64 << 10, Clock: clock})
			val := bytes.Repeat([]byte("v"), 200)
			for i := 0; i < 2000; i++ {
				exp := int64(0)
				if i%2 == 0 {
					exp = clock.NowMs() + int64(1000000+i)
				}
				e.Set(0, []byte(fmt.Sprintf("k%d", i)), val, exp)
			}
			// The persistent half alone (with the index) takes a bit over half.
			limit := e.Used() * 6 / 10
			e.SetMaxMemory(limit, p)
			for i := 0; i < 100; i++ {
				if err := e.EnsureMemory(); err != nil {
					st := e.Stats()
					t.Fatalf("ensure %d: %v (limit %d used %d seg %d live %d idx %d evicted %d dbsize %d)", i, err, limit, st.Used, st.Segments, st.Live, st.Index, st.EvictedKeys, e.DBSize(0))
				}
			}
			if e.Used() > limit {
				t.Fatalf("used %d > maxmemory %d", e.Used(), limit)
			}
			if e.Stats().EvictedKeys == 0 {
				t.Fatal("nothing evicted")
			}
			if p == VolatileLRU || p == VolatileRandom || p == VolatileTTL {
				for i := 1; i < 2000; i += 2 {
					if !e.Exists(0, []byte(fmt.Sprintf("k%d", i))) {
						t.Fatalf("%s evicted persistent key k%d", p, i)
					}
				}
			}
		})
	}
	t.Run("noeviction", func(t *testing.T) {
		e := openTest(t, Options{Shards: 2})
		e.Set(0, []byte("a"), []byte("b"), 0)
		e.SetMaxMemory(1, NoEviction)
		if err := e.EnsureMemory(); !errors.Is(err, ErrOOM) {
			t.Fatalf("got %v want ErrOOM", err)
		}
	})
}

// TestLRUApproximation: with allkeys-lru, keys read recently survive.
func TestLRUApproximation(t *testing.T) {
	clock := newFakeClock(1_000_000_000)
	e := openTest(t, Options{Shards: 1, SegmentSize: 64 << 10, Clock: clock, MaxMemorySamples: 10})
	val := bytes.Repeat([]byte("v"), 100)
	for i := 0; i < 2000; i++ {
		e.Set(0, []byte(fmt.Sprintf("k%d", i)), val, 0)
	}
	clock.advance(100_000)
	for i := 0; i < 200; i++ { // the hot set
		e.Get(0, []byte(fmt.Sprintf("k%d", i)), nil)
	}
	e.SetMaxMemory(e.Used()*6/10, AllKeysLRU)
	if err := e.EnsureMemory(); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for i := 0; i < 200; i++ {
		if e.Exists(0, []byte(fmt.Sprintf("k%d", i))) {
			kept++
		}
	}
	if kept < 190 {
		t.Fatalf("only %d of 200 recently used keys survived", kept)
	}
}

// TestDurableTombstones: a tombstone stays while a segment that may hold an
// older entry of its key exists, and goes once none can.
func TestDurableTombstones(t *testing.T) {
	e := openTest(t, Options{Shards: 1, SegmentSize: 64 << 10, Durable: true})
	pad := bytes.Repeat([]byte("p"), 1000)
	e.Set(0, []byte("victim"), []byte("old"), 0)
	// A long-lived key in the same (first) segment pins it.
	e.Set(0, []byte("keeper"), pad, 0)
	for i := 0; i < 200; i++ { // fill more segments
		e.Set(0, []byte(fmt.Sprintf("f%d", i)), pad, 0)
	}
	e.Delete(0, []byte("victim"))
	for i := 0; i < 200; i++ {
		e.Delete(0, []byte(fmt.Sprintf("f%d", i)))
	}
	e.Clean(true)
	if countTombstones(e, "victim") == 0 {
		t.Fatal("tombstone dropped while the segment with the old entry still exists")
	}
	// Once keeper moves the first segment can be cleaned; after that nothing
	// older than the tombstone remains.
	for i := 0; i < 10; i++ {
		e.Clean(true)
	}
	e.Delete(0, []byte("keeper"))
	// The head segment at the time of the delete may hold older entries
	// too; it is cleaned once writes move on.
	for i := 0; i < 200; i++ {
		e.Set(0, []byte(fmt.Sprintf("g%d", i)), pad, 0)
		e.Delete(0, []byte(fmt.Sprintf("g%d", i)))
	}
	for i := 0; i < 10; i++ {
		e.Clean(true)
	}
	if n := countTombstones(e, "victim"); n != 0 {
		t.Fatalf("%d tombstones for victim remain after every older segment was cleaned", n)
	}
}

func countTombstones(e *Engine, key string) int {
	n := 0
	for _, s := range e.shards {
		s.mu.Lock()
		for _, seg := range s.segs {
			if seg == nil {
				continue
			}
			for off := 0; off < seg.used; {
				h := parseHeader(seg.data[off:])
				if h.kind == typeTombstone && string(h.key(seg.data[off:])) == key {
					n++
				}
				off += h.size
			}
		}
		s.mu.Unlock()
	}
	return n
}

func TestSwapFlushCopy(t *testing.T) {
	e := openTest(t, Options{Shards: 2})
	e.Set(0, []byte("a"), []byte("0"), 0)
	e.Set(1, []byte("b"), []byte("1"), 0)
	e.SwapDB(0, 1)
	if !e.Exists(0, []byte("b")) || !e.Exists(1, []byte("a")) {
		t.Fatal("swapdb")
	}
	e.FlushDB(0)
	if e.DBSize(0) != 0 || e.DBSize(1) != 1 {
		t.Fatal("flushdb")
	}
	e.FlushAll()
	if e.DBSize(1) != 0 {
		t.Fatal("flushall")
	}
	if err := e.Set(16, []byte("a"), nil, 0); !errors.Is(err, ErrBadDB) {
		t.Fatalf("db 16: %v", err)
	}
}

// TestPutMany: MSET's blind writes apply in order (a repeated key keeps
// its last value), across databases and shards, and refuse collection
// types.
func TestPutMany(t *testing.T) {
	e := openTest(t, Options{Shards: 4, Databases: 2})
	keys := []KeyRef{{0, []byte("a")}, {1, []byte("b")}, {0, []byte("a")}, {0, []byte("c{x}")}}
	writes := []Write{
		{Op: Put, Type: TypeString, Data: []byte("1")},
		{Op: Put, Type: TypeString, Data: []byte("2")},
		{Op: Put, Type: TypeString, Data: []byte("3")},
		{Op: Put, Type: TypeString, Data: []byte("4"), ExpireAt: e.Now() + 60_000},
	}
	if err := e.PutMany(keys, writes); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		db       int
		key, val string
	}{{0, "a", "3"}, {1, "b", "2"}, {0, "c{x}", "4"}} {
		got, ok, err := e.Get(want.db, []byte(want.key), nil)
		if err != nil || !ok || string(got) != want.val {
			t.Errorf("db %d %s = %q %v %v, want %q", want.db, want.key, got, ok, err, want.val)
		}
	}
	if e.DBSize(0) != 2 || e.DBSize(1) != 1 {
		t.Errorf("dbsize %d %d", e.DBSize(0), e.DBSize(1))
	}
	if err := e.PutMany(keys[:1], []Write{{Op: Put, Type: TypeHash, Data: make([]byte, 8)}}); !errors.Is(err, ErrWrongType) {
		t.Errorf("collection put: %v", err)
	}
}
