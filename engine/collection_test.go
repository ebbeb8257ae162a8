package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"testing"
)

// collModel is the naive reference for one collection key.
type collModel struct {
	typ   Type
	hash  map[string]string // hashes and sets (value "")
	list  []string
	zset  map[string]float64
	str   string // TypeString keys, to exercise overwrites across types
	expAt int64
}

func (m *collModel) clone() *collModel {
	n := &collModel{typ: m.typ, str: m.str, expAt: m.expAt, list: append([]string(nil), m.list...)}
	if m.hash != nil {
		n.hash = map[string]string{}
		for k, v := range m.hash {
			n.hash[k] = v
		}
	}
	if m.zset != nil {
		n.zset = map[string]float64{}
		for k, v := range m.zset {
			n.zset[k] = v
		}
	}
	return n
}

func (m *collModel) len() int {
	switch m.typ {
	case TypeList:
		return len(m.list)
	case TypeZSet:
		return len(m.zset)
	}
	return len(m.hash)
}

type zsetEntry struct {
	member string
	score  float64
}

func (m *collModel) sortedZ() []zsetEntry {
	var out []zsetEntry
	for k, v := range m.zset {
		out = append(out, zsetEntry{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score < out[j].score
		}
		return out[i].member < out[j].member
	})
	return out
}

// TestCollectionModel runs random element operations on hashes, sets,
// lists and sorted sets sharing a small keyspace (so type clashes, renames
// across shards, copies and moves happen), against Go models, while another
// goroutine forces the cleaner over every segment with garbage.
func TestCollectionModel(t *testing.T) {
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) { runCollectionModel(t, durable) })
	}
}

func runCollectionModel(t *testing.T, durable bool) {
	seed, ops := modelRun(t, 300_000, 60_000)
	rng := rand.New(rand.NewPCG(seed, 7))
	clock := newFakeClock(1_000_000)
	e := openTest(t, Options{SegmentSize: 64 << 10, Shards: 4, Databases: 2, Clock: clock, Durable: durable})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
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
	defer func() { close(stop); wg.Wait() }()

	models := []map[string]*collModel{{}, {}}
	live := func(db int, k string) *collModel {
		m := models[db][k]
		if m != nil && m.expAt != 0 && m.expAt < clock.NowMs() {
			delete(models[db], k)
			return nil
		}
		return m
	}
	types := []Type{TypeHash, TypeSet, TypeList, TypeZSet}
	member := func() string { return "m" + strconv.Itoa(rng.IntN(40)) }
	value := func() string {
		if rng.IntN(50) == 0 {
			return string(make([]byte, 20_000+rng.IntN(30_000))) // larger than a quarter segment
		}
		return "v" + strconv.Itoa(rng.IntN(1000))
	}

	for op := 0; op < ops; op++ {
		db := rng.IntN(2)
		key := "k" + strconv.Itoa(rng.IntN(12))
		m := live(db, key)
		typ := types[rng.IntN(len(types))]
		switch r := rng.IntN(100); {
		case r < 55: // element write on typ
			var added bool
			err := e.Collection(db, []byte(key), typ, func(c *Coll) error {
				if m != nil && m.typ != typ {
					if !c.WrongType() || c.Len() != 0 {
						t.Fatalf("op %d: %s holds %v, WrongType false", op, key, m.typ)
					}
					var err error
					switch typ {
					case TypeList:
						err = c.ListPush(true, []byte("x"))
					case TypeZSet:
						_, err = c.ZAdd([]byte("x"), 1)
					default:
						_, err = c.Set([]byte("x"), nil)
					}
					return err
				}
				mem, val := member(), value()
				switch typ {
				case TypeHash, TypeSet:
					if typ == TypeSet {
						val = ""
					}
					if rng.IntN(3) == 0 {
						ok := c.Delete([]byte(mem))
						if m != nil && m.typ == typ {
							_, want := m.hash[mem]
							if ok != want {
								t.Fatalf("op %d: delete %s/%s = %v, want %v", op, key, mem, ok, want)
							}
							delete(m.hash, mem)
						}
						return nil
					}
					var err error
					added, err = c.Set([]byte(mem), []byte(val))
					if err != nil {
						return err
					}
					if m == nil {
						m = &collModel{typ: typ, hash: map[string]string{}}
						models[db][key] = m
					}
					_, had := m.hash[mem]
					if added == had {
						t.Fatalf("op %d: set %s/%s added=%v, model had=%v", op, key, mem, added, had)
					}
					m.hash[mem] = val
				case TypeList:
					if err := c.ensure(); err != nil {
						return err
					}
					if m == nil {
						m = &collModel{typ: typ}
						models[db][key] = m
					}
					n := len(m.list)
					switch k := rng.IntN(8); {
					case k == 0 && n > 0:
						got, _ := c.ListPop(true, nil)
						if string(got) != m.list[0] {
							t.Fatalf("op %d: lpop %q want %q", op, got, m.list[0])
						}
						m.list = m.list[1:]
					case k == 1 && n > 0:
						got, _ := c.ListPop(false, nil)
						if string(got) != m.list[n-1] {
							t.Fatalf("op %d: rpop %q want %q", op, got, m.list[n-1])
						}
						m.list = m.list[:n-1]
					case k == 2 && n > 0:
						i := rng.IntN(n)
						if err := c.ListSet(i, []byte(val)); err != nil {
							return err
						}
						m.list[i] = val
					case k == 3:
						i := rng.IntN(n + 1)
						if err := c.ListInsert(i, []byte(val)); err != nil {
							return err
						}
						m.list = append(m.list[:i], append([]string{val}, m.list[i:]...)...)
					case k == 4 && n > 0:
						var pos []int
						var keep []string
						for i, v := range m.list {
							if rng.IntN(4) == 0 {
								pos = append(pos, i)
							} else {
								keep = append(keep, v)
							}
						}
						c.ListRemove(pos)
						m.list = keep
					case k == 5 && n > 0:
						start, stop := rng.IntN(n), rng.IntN(n)
						c.ListTrim(start, stop)
						if start > stop {
							m.list = nil
						} else {
							m.list = append([]string(nil), m.list[start:stop+1]...)
						}
					default:
						left := rng.IntN(2) == 0
						if err := c.ListPush(left, []byte(val)); err != nil {
							return err
						}
						if left {
							m.list = append([]string{val}, m.list...)
						} else {
							m.list = append(m.list, val)
						}
					}
				case TypeZSet:
					if err := c.ensure(); err != nil {
						return err
					}
					if m == nil {
						m = &collModel{typ: typ, zset: map[string]float64{}}
						models[db][key] = m
					}
					switch k := rng.IntN(6); {
					case k == 0:
						ok := c.Delete([]byte(mem))
						_, want := m.zset[mem]
						if ok != want {
							t.Fatalf("op %d: zrem %v want %v", op, ok, want)
						}
						delete(m.zset, mem)
					case k == 1 && len(m.zset) > 0:
						sorted := m.sortedZ()
						i := rng.IntN(len(sorted))
						got, sc := c.ZRemoveAt(i, nil)
						if string(got) != sorted[i].member || sc != sorted[i].score {
							t.Fatalf("op %d: zremoveat %d = %q %v, want %v", op, i, got, sc, sorted[i])
						}
						delete(m.zset, sorted[i].member)
					default:
						score := float64(rng.IntN(10))
						_, had := m.zset[mem]
						added, err := c.ZAdd([]byte(mem), score)
						if err != nil {
							return err
						}
						if added == had {
							t.Fatalf("op %d: zadd added=%v had=%v", op, added, had)
						}
						m.zset[mem] = score
					}
				}
				return nil
			})
			if m != nil && m.typ != typ {
				if !errors.Is(err, ErrWrongType) {
					t.Fatalf("op %d: write on %v key as %v: err %v", op, m.typ, typ, err)
				}
			} else if err != nil {
				t.Fatalf("op %d: %v", op, err)
			}
			if m != nil && m.len() == 0 && m.typ != TypeString {
				delete(models[db], key)
			}
		case r < 60: // DEL
			e.Delete(db, []byte(key))
			delete(models[db], key)
		case r < 64: // SET a string over whatever is there
			if err := e.Set(db, []byte(key), []byte("str"), 0); err != nil {
				t.Fatal(err)
			}
			models[db][key] = &collModel{typ: TypeString, str: "str"}
		case r < 74: // RENAME, COPY or MOVE, as commands/ does them
			dstDB, dst := db, "k"+strconv.Itoa(rng.IntN(12))
			kind := rng.IntN(3)
			if kind == 2 {
				dstDB, dst = 1-db, key
			}
			if dstDB == db && dst == key {
				continue
			}
			err := e.Multi([]KeyRef{{db, []byte(key)}, {dstDB, []byte(dst)}}, func(vals []*Value) []Write {
				if vals[0] == nil || (kind == 2 && vals[1] != nil) {
					return nil
				}
				mv := Write{Op: Put, Type: vals[0].Type, Data: vals[0].Data, ExpireAt: vals[0].ExpireAt}
				if kind == 1 {
					return []Write{{Op: Keep}, mv}
				}
				return []Write{{Op: Delete}, mv}
			})
			if err != nil {
				t.Fatal(err)
			}
			if m != nil && (kind != 2 || live(dstDB, dst) == nil) {
				if kind == 1 {
					models[dstDB][dst] = m.clone()
				} else {
					delete(models[db], key)
					models[dstDB][dst] = m
				}
			}
		case r < 78: // EXPIRE and let time pass
			if m != nil {
				at := clock.NowMs() + int64(rng.IntN(5))
				_ = e.Update(db, []byte(key), func(cur *Value, ok bool) Write {
					return Write{Op: Touch, ExpireAt: at}
				})
				m.expAt = at
			}
			clock.advance(int64(rng.IntN(3)))
		case r < 79:
			if rng.IntN(20) == 0 {
				_ = e.FlushDB(db)
				models[db] = map[string]*collModel{}
			}
		default: // read and compare the whole key
			checkCollection(t, e, op, db, key, live(db, key), rng)
		}
		if op%5000 == 0 {
			checkAccounting(t, e)
		}
	}
	for db := range models {
		for k := range models[db] {
			checkCollection(t, e, -1, db, k, live(db, k), rng)
		}
	}
	checkAccounting(t, e)
}

func checkCollection(t *testing.T, e *Engine, op, db int, key string, m *collModel, rng *rand.Rand) {
	t.Helper()
	if m == nil {
		if e.Exists(db, []byte(key)) {
			t.Fatalf("op %d: db %d key %s exists, model says absent", op, db, key)
		}
		return
	}
	if m.typ == TypeString {
		got, ok, err := e.Get(db, []byte(key), nil)
		if err != nil || !ok || string(got) != m.str {
			t.Fatalf("op %d: string %s = %q %v %v", op, key, got, ok, err)
		}
		return
	}
	_ = e.Collection(db, []byte(key), m.typ, func(c *Coll) error {
		if !c.Exists() || c.Len() != m.len() {
			t.Fatalf("op %d: db %d %s (%v): exists=%v len %d, model %d", op, db, key, m.typ, c.Exists(), c.Len(), m.len())
		}
		switch m.typ {
		case TypeHash, TypeSet:
			seen := 0
			c.Each(func(mem, val []byte) bool {
				seen++
				if want, ok := m.hash[string(mem)]; !ok || want != string(val) {
					t.Fatalf("op %d: %s has %q=%q, model %q %v", op, key, mem, val, want, ok)
				}
				return true
			})
			if seen != len(m.hash) {
				t.Fatalf("op %d: Each saw %d of %d", op, seen, len(m.hash))
			}
			got := map[string]bool{}
			for cur := uint64(0); ; {
				cur = c.Scan(cur, 1+rng.IntN(5), func(mem, _ []byte) { got[string(mem)] = true })
				if cur == 0 {
					break
				}
			}
			if len(got) != len(m.hash) {
				t.Fatalf("op %d: Scan saw %d of %d", op, len(got), len(m.hash))
			}
		case TypeList:
			for i, want := range m.list {
				if got := c.ListIndex(i); string(got) != want {
					t.Fatalf("op %d: %s[%d] = %q, want %q", op, key, i, got, want)
				}
			}
		case TypeZSet:
			sorted := m.sortedZ()
			c.ZAscend(0, func(i int, mem []byte, score float64) bool {
				if string(mem) != sorted[i].member || score != sorted[i].score {
					t.Fatalf("op %d: rank %d = %q %v, want %v", op, i, mem, score, sorted[i])
				}
				return true
			})
			for i, z := range sorted {
				if r, ok := c.ZRank([]byte(z.member)); !ok || r != i {
					t.Fatalf("op %d: zrank %s = %d %v, want %d", op, z.member, r, ok, i)
				}
			}
			if len(sorted) > 0 {
				s := float64(rng.IntN(10))
				want := sort.Search(len(sorted), func(i int) bool { return sorted[i].score >= s })
				if got := c.ZCountBelow(s, false); got != want {
					t.Fatalf("op %d: ZCountBelow(%v) = %d, want %d", op, s, got, want)
				}
			}
		}
		return nil
	})
}
