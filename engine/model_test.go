package engine

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"
)

var (
	modelSeed = flag.Uint64("model.seed", 0, "seed for the model test (0 = random, logged)")
	modelOps  = flag.Int("model.ops", 0, "operations for the model test (0 = 1M, 200k under -race or -short)")
)

type modelValue struct {
	data     string
	expireAt int64
}

// model is the naive reference: one map per logical database.
type model struct {
	dbs []map[string]modelValue
	now int64
}

func (m *model) live(db int, k string) (modelValue, bool) {
	v, ok := m.dbs[db][k]
	if ok && v.expireAt != 0 && v.expireAt < m.now {
		delete(m.dbs[db], k)
		return modelValue{}, false
	}
	return v, ok
}

// TestModel runs millions of random operations against the engine and a map
// model side by side, while other goroutines run the cleaner (forced, every
// segment with garbage) and active expiry as fast as they can.
func TestModel(t *testing.T) {
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) { runModel(t, durable) })
	}
}

// modelRun picks a model test's seed and length from the flags (full ops by
// default, short under -race or -short) and logs them so a failure replays.
func modelRun(t *testing.T, full, short int) (uint64, int) {
	seed := *modelSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	ops := *modelOps
	if ops == 0 {
		ops = full
		if raceEnabled || testing.Short() {
			ops = short
		}
	}
	t.Logf("seed %d (replay with -model.seed=%d), %d ops", seed, seed, ops)
	return seed, ops
}

func runModel(t *testing.T, durable bool) {
	seed, ops := modelRun(t, 1_000_000, 200_000)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	clock := newFakeClock(1_700_000_000_000)
	const dbs = 4
	e := openTest(t, Options{Shards: 8, SegmentSize: 64 << 10, Databases: dbs, Clock: clock, Durable: durable})
	m := &model{now: clock.NowMs()}
	for i := 0; i < dbs; i++ {
		m.dbs = append(m.dbs, map[string]modelValue{})
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				e.Clean(true)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				e.ActiveExpire(time.Millisecond)
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	keyOf := func() string {
		// A few hot keys, many warm ones, some hash-tagged into one slot, and
		// the occasional large value's key.
		switch r := rng.IntN(100); {
		case r < 10:
			return fmt.Sprintf("{tag}:%d", rng.IntN(200))
		default:
			return fmt.Sprintf("k%d", rng.IntN(3000))
		}
	}
	valOf := func() string {
		n := rng.IntN(64)
		if rng.IntN(2000) == 0 {
			n = 20_000 + rng.IntN(40_000) // larger than a quarter segment: dedicated
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	fail := func(op int, format string, args ...any) {
		t.Helper()
		t.Fatalf("op %d (seed %d): %s", op, seed, fmt.Sprintf(format, args...))
	}

	// Callbacks run under a shard lock, so they record problems here
	// instead of calling t.Fatal.
	var mismatch string
	for op := 0; op < ops; op++ {
		if mismatch != "" {
			fail(op-1, "%s", mismatch)
		}
		db := rng.IntN(dbs)
		k := keyOf()
		switch r := rng.IntN(1000); {
		case r < 300: // get
			want, ok := m.live(db, k)
			got, found, err := e.Get(db, []byte(k), nil)
			if err != nil || found != ok || (ok && string(got) != want.data) {
				fail(op, "get %d %q = %q,%v,%v want %q,%v", db, k, got, found, err, want.data, ok)
			}
		case r < 600: // set, sometimes with a TTL
			v := modelValue{data: valOf()}
			if rng.IntN(4) == 0 {
				v.expireAt = m.now + int64(1+rng.IntN(5000))
			}
			if err := e.Set(db, []byte(k), []byte(v.data), v.expireAt); err != nil {
				fail(op, "set: %v", err)
			}
			m.dbs[db][k] = v
		case r < 700: // delete
			_, ok := m.live(db, k)
			if got := e.Delete(db, []byte(k)); got != ok {
				fail(op, "delete %q = %v want %v", k, got, ok)
			}
			delete(m.dbs[db], k)
		case r < 780: // append via Update
			suffix := valOf()
			cur, ok := m.live(db, k)
			err := e.Update(db, []byte(k), func(v *Value, exists bool) Write {
				if exists != ok || (exists && string(v.Data) != cur.data) {
					mismatch = fmt.Sprintf("update saw %v want %v", exists, ok)
				}
				var old []byte
				exp := int64(0)
				if exists {
					old, exp = v.Data, v.ExpireAt
				}
				return Write{Op: Put, Type: TypeString, Data: append(old, suffix...), ExpireAt: exp}
			})
			if err != nil {
				fail(op, "update: %v", err)
			}
			cur.data += suffix
			if !ok {
				cur.expireAt = 0
			}
			m.dbs[db][k] = cur
		case r < 830: // expire / persist via Touch
			cur, ok := m.live(db, k)
			exp := int64(0)
			if rng.IntN(2) == 0 {
				exp = m.now + int64(1+rng.IntN(3000))
			}
			_ = e.Update(db, []byte(k), func(v *Value, exists bool) Write {
				if !exists {
					return Write{Op: Keep}
				}
				return Write{Op: Touch, ExpireAt: exp}
			})
			if ok {
				cur.expireAt = exp
				m.dbs[db][k] = cur
			}
		case r < 860: // rename via Multi
			dst := keyOf()
			src, ok := m.live(db, k)
			m.live(db, dst)
			err := e.Multi([]KeyRef{{db, []byte(k)}, {db, []byte(dst)}}, func(vals []*Value) []Write {
				if (vals[0] != nil) != ok {
					mismatch = fmt.Sprintf("multi saw %v want %v", vals[0] != nil, ok)
				}
				if vals[0] == nil {
					return nil
				}
				return []Write{{Op: Delete}, {Op: Put, Type: TypeString, Data: vals[0].Data, ExpireAt: vals[0].ExpireAt}}
			})
			if err != nil {
				fail(op, "multi: %v", err)
			}
			if ok {
				delete(m.dbs[db], k)
				m.dbs[db][dst] = src
			}
		case r < 900: // time passes
			d := int64(rng.IntN(200))
			clock.advance(d)
			m.now += d
		case r < 901: // full scan: every key present throughout must appear
			checkScan(t, e, m, db, rng, op, seed)
		case r < 904:
			a, b := rng.IntN(dbs), rng.IntN(dbs)
			if err := e.SwapDB(a, b); err != nil {
				fail(op, "swapdb: %v", err)
			}
			m.dbs[a], m.dbs[b] = m.dbs[b], m.dbs[a]
		case r < 905:
			if rng.IntN(10) == 0 {
				_ = e.FlushDB(db)
				m.dbs[db] = map[string]modelValue{}
			}
		case r < 920: // exists
			_, ok := m.live(db, k)
			if e.Exists(db, []byte(k)) != ok {
				fail(op, "exists %q != %v", k, ok)
			}
		case r < 930: // dbsize is at least the live count (expired keys may linger)
			n := 0
			for kk := range m.dbs[db] {
				if _, ok := m.live(db, kk); ok {
					n++
				}
			}
			if got := e.DBSize(db); got < n {
				fail(op, "dbsize %d < live %d", got, n)
			}
		case r < 931:
			checkAccounting(t, e)
		default: // slot counts agree with the index
			slot := SlotOf([]byte(k))
			keys := e.KeysInSlot(db, slot, 1<<20, nil)
			if len(keys) > e.CountKeysInSlot(db, slot) {
				fail(op, "slot %d: %d keys > count %d", slot, len(keys), e.CountKeysInSlot(db, slot))
			}
		}
	}
	// Final full comparison.
	for db := 0; db < dbs; db++ {
		for k := range m.dbs[db] {
			want, ok := m.live(db, k)
			got, found, _ := e.Get(db, []byte(k), nil)
			if found != ok || (ok && string(got) != want.data) {
				t.Fatalf("final: db %d key %q = %v want %v", db, k, found, ok)
			}
		}
		checkScan(t, e, m, db, rng, -1, seed)
	}
	checkAccounting(t, e)
}

func checkScan(t *testing.T, e *Engine, m *model, db int, rng *rand.Rand, op int, seed uint64) {
	t.Helper()
	seen := map[string]bool{}
	var cursor uint64
	for {
		cursor = e.Scan(db, cursor, 1+rng.IntN(50), func(k []byte, _ Type) { seen[string(k)] = true })
		if cursor == 0 {
			break
		}
	}
	var missing []string
	for k := range m.dbs[db] {
		if _, ok := m.live(db, k); ok && !seen[k] {
			missing = append(missing, k)
		}
	}
	for k := range seen {
		if _, ok := m.live(db, k); !ok {
			t.Fatalf("op %d (seed %d): scan returned absent or expired key %q", op, seed, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Fatalf("op %d (seed %d): scan missed %d keys, e.g. %q", op, seed, len(missing), missing[0])
	}
}

// checkAccounting recomputes every segment's live bytes from the index and
// compares it with the counters the engine maintains.
func checkAccounting(t *testing.T, e *Engine) {
	t.Helper()
	for _, s := range e.shards {
		s.mu.Lock()
		live := map[*segment]int{}
		keys := make([]int, len(s.keys))
		named := map[*collection]int{}
		for pdb, ts := range s.tables {
			for i := range ts {
				tb := &ts[i]
				n := 0
				for cell, w := range tb.words {
					if w == 0 {
						continue
					}
					n++
					seg := s.segs[wordSeg(w)]
					b, h := s.entry(w)
					live[seg] += h.size
					if int(h.db) != pdb || int(h.slot)>>e.shardBits != i {
						t.Fatalf("entry in wrong table")
					}
					if home := s.homeOfWord(w, tb.bits); !reachable(tb, home, cell) {
						t.Fatalf("cell %d unreachable from home %d", cell, home)
					}
					if !bytes.Equal(h.key(b), s.keyOf(w)) {
						t.Fatal("key mismatch")
					}
					if isCollection(h.kind) {
						c := s.colls[headerID(h.value(b))]
						if c == nil || c.typ != h.kind || c.pdb != pdb {
							t.Fatalf("shard %d: key %q names collection %d, which is %+v", s.idx, h.key(b), headerID(h.value(b)), c)
						}
						named[c]++
					}
				}
				if n != tb.count {
					t.Fatalf("table count %d, words %d", tb.count, n)
				}
				keys[pdb] += n
			}
		}
		for id, c := range s.colls {
			if named[c] != 1 || c.id != id {
				t.Fatalf("shard %d: collection %d named by %d keys", s.idx, id, named[c])
			}
			n, bytesLive := 0, 0
			for cell, w := range c.elems.words {
				if w == 0 {
					continue
				}
				n++
				b, h := s.entry(w)
				live[s.segs[wordSeg(w)]] += h.size
				bytesLive += h.size
				if h.kind != TypeElement || headerID(h.key(b)) != id {
					t.Fatalf("collection %d holds a foreign entry", id)
				}
				if home := s.homeOfWord(w, c.elems.bits); !reachable(&c.elems, home, cell) {
					t.Fatalf("element cell %d unreachable from home %d", cell, home)
				}
			}
			if c.typ == TypeList {
				nonzero := 0
				for _, w := range c.ring {
					if w != 0 {
						nonzero++
					}
				}
				if nonzero != int(c.tail-c.head) || c.elems.count != 0 {
					t.Fatalf("list %d: %d cells for [%d,%d)", id, nonzero, c.head, c.tail)
				}
				for seq := c.head; seq < c.tail; seq++ {
					w := *c.cell(seq)
					b, h := s.entry(w)
					if got, ok := seqOfKey(h.key(b)); !ok || got != seq || headerID(h.key(b)) != id {
						t.Fatalf("list %d: cell of seq %d holds seq %d", id, seq, got)
					}
					live[s.segs[wordSeg(w)]] += h.size
					bytesLive += h.size
					n++
				}
			}
			if n != c.count() || n == 0 || bytesLive != c.bytes {
				t.Fatalf("collection %d: count %d, words %d, bytes %d vs %d", id, c.elems.count, n, c.bytes, bytesLive)
			}
			if c.typ == TypeZSet && c.order.Len() != n {
				t.Fatalf("collection %d: order has %d of %d", id, c.order.Len(), n)
			}
			if c.typ == TypeList && c.tail-c.head != int64(n) {
				t.Fatalf("list %d: [%d,%d) for %d elements", id, c.head, c.tail, n)
			}
		}
		for pdb := range keys {
			if keys[pdb] != s.keys[pdb] {
				t.Fatalf("shard %d db %d: keys %d counted %d", s.idx, pdb, keys[pdb], s.keys[pdb])
			}
		}
		total, sumLive := 0, 0
		for _, seg := range s.segs {
			if seg == nil {
				continue
			}
			total += seg.used
			sumLive += seg.live
			want := live[seg]
			if e.opts.Durable {
				// Tombstones are live too: only check the lower bound.
				if seg.live < want {
					t.Fatalf("segment %d live %d < indexed %d", seg.id, seg.live, want)
				}
			} else if seg.live != want {
				t.Fatalf("shard %d segment %d (large=%v): live %d, index says %d", s.idx, seg.id, seg.large, seg.live, want)
			}
		}
		if total != s.total || sumLive != s.live {
			t.Fatalf("shard totals: %d/%d vs %d/%d", total, sumLive, s.total, s.live)
		}
		s.mu.Unlock()
	}
}

// reachable reports whether a linear probe from home reaches cell without
// crossing an empty cell.
func reachable(t *slotTable, home, cell int) bool {
	mask := len(t.words) - 1
	for i := home; ; i = (i + 1) & mask {
		if i == cell {
			return true
		}
		if t.words[i] == 0 {
			return false
		}
	}
}
