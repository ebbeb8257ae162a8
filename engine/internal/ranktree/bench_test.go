package ranktree

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// benchSizes is the ladder every benchmark climbs.
var benchSizes = []int{1_000, 100_000, 1_000_000}

// benchSet is n items and a compare that works like the engine's: scores
// from a few hundred values, so that many comparisons tie and go on to the
// member, which it reads from a "log" (members, indexed by Ref) with the
// cache misses that implies.
type benchSet struct {
	members []uint64 // Ref → member
	items   []Item   // n items with distinct members, in random order
	spare   []Item   // as many more, for inserts
	cmp     Compare
}

func newBenchSet(n int) *benchSet {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	s := &benchSet{members: make([]uint64, 2*n)}
	for i := range s.members {
		s.members[i] = rng.Uint64()
	}
	all := make([]Item, 2*n)
	for i := range all {
		all[i] = Item{Score: float64(rng.IntN(300)), Ref: uint64(i)}
	}
	s.items, s.spare = all[:n], all[n:]
	s.cmp = func(a, b Item) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return cmp.Compare(s.members[a.Ref], s.members[b.Ref])
	}
	return s
}

// heapStats measures what building a tree of items costs on the heap.
type heapStats struct{ bytes, objects uint64 }

func readHeap() heapStats {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return heapStats{ms.HeapAlloc, ms.HeapObjects}
}

// build inserts items into tr and returns the heap bytes and objects that
// cost per item. The garbage collections it forces are not timed.
func (s *benchSet) build(b *testing.B, tr *Tree, items []Item) (bytesPerItem, objectsPerItem float64) {
	b.StopTimer()
	before := readHeap()
	b.StartTimer()
	for _, it := range items {
		tr.Insert(it, s.cmp)
	}
	b.StopTimer()
	after := readHeap()
	b.StartTimer()
	n := float64(len(items))
	return float64(int64(after.bytes-before.bytes)) / n, float64(int64(after.objects-before.objects)) / n
}

func (s *benchSet) report(b *testing.B, tr *Tree, bytesPerItem, objectsPerItem float64) {
	b.ReportMetric(bytesPerItem, "heapB/item")
	b.ReportMetric(objectsPerItem, "objs/item")
	b.ReportMetric(float64(tr.MemoryBytes())/float64(tr.Len()), "acctB/item")
}

// ladder runs fn as a sub-benchmark for each size.
func ladder(b *testing.B, fn func(b *testing.B, s *benchSet)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { fn(b, newBenchSet(n)) })
	}
}

// BenchmarkBuild inserts n items into an empty tree, in random and in
// ascending order; ns/op is per item.
func BenchmarkBuild(b *testing.B) {
	for _, order := range []string{"random", "ascending"} {
		b.Run("order="+order, func(b *testing.B) {
			ladder(b, func(b *testing.B, s *benchSet) {
				if order == "ascending" {
					slices.SortFunc(s.items, s.cmp)
				}
				var bytes, objects float64
				var tr Tree
				builds := 0
				for b.Loop() {
					tr = Tree{}
					bytes, objects = s.build(b, &tr, s.items)
					builds++
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(builds*len(s.items)), "ns/item")
				s.report(b, &tr, bytes, objects)
			})
		})
	}
}

// BenchmarkInsert inserts into a tree of n items, deleting the inserted
// items again (untimed) every batch so the size stays about n.
func BenchmarkInsert(b *testing.B) {
	ladder(b, func(b *testing.B, s *benchSet) {
		var tr Tree
		bytes, objects := s.build(b, &tr, s.items)
		batch, k := min(1024, len(s.items)/10), 0
		b.ReportAllocs()
		for b.Loop() {
			tr.Insert(s.spare[k], s.cmp)
			if k++; k == batch {
				b.StopTimer()
				for _, it := range s.spare[:k] {
					tr.Delete(it, s.cmp)
				}
				k = 0
				b.StartTimer()
			}
		}
		s.report(b, &tr, bytes, objects)
	})
}

// BenchmarkDelete deletes random items from a tree of n items, putting them
// back (untimed) every batch.
func BenchmarkDelete(b *testing.B) {
	ladder(b, func(b *testing.B, s *benchSet) {
		var tr Tree
		bytes, objects := s.build(b, &tr, s.items)
		batch, k := min(1024, len(s.items)/10), 0
		rng := rand.New(rand.NewPCG(1, 1))
		rng.Shuffle(len(s.items), func(i, j int) { s.items[i], s.items[j] = s.items[j], s.items[i] })
		b.ReportAllocs()
		for b.Loop() {
			tr.Delete(s.items[k], s.cmp)
			if k++; k == batch {
				b.StopTimer()
				for _, it := range s.items[:k] {
					tr.Insert(it, s.cmp)
				}
				k = 0
				rng.Shuffle(len(s.items), func(i, j int) { s.items[i], s.items[j] = s.items[j], s.items[i] })
				b.StartTimer()
			}
		}
		s.report(b, &tr, bytes, objects)
	})
}

// BenchmarkRank looks up the rank of random items (ZRANK).
func BenchmarkRank(b *testing.B) {
	ladder(b, func(b *testing.B, s *benchSet) {
		var tr Tree
		bytes, objects := s.build(b, &tr, s.items)
		rng := rand.New(rand.NewPCG(2, 2))
		b.ReportAllocs()
		for b.Loop() {
			tr.Rank(s.items[rng.IntN(len(s.items))], s.cmp)
		}
		s.report(b, &tr, bytes, objects)
	})
}

// BenchmarkAt fetches the item of a random rank (ZRANGE by index).
func BenchmarkAt(b *testing.B) {
	ladder(b, func(b *testing.B, s *benchSet) {
		var tr Tree
		bytes, objects := s.build(b, &tr, s.items)
		rng := rand.New(rand.NewPCG(3, 3))
		b.ReportAllocs()
		for b.Loop() {
			tr.At(rng.IntN(len(s.items)))
		}
		s.report(b, &tr, bytes, objects)
	})
}

// BenchmarkSearch finds a score bound (ZRANGEBYSCORE, ZCOUNT).
func BenchmarkSearch(b *testing.B) {
	ladder(b, func(b *testing.B, s *benchSet) {
		var tr Tree
		bytes, objects := s.build(b, &tr, s.items)
		rng := rand.New(rand.NewPCG(4, 4))
		b.ReportAllocs()
		for b.Loop() {
			bound := float64(rng.IntN(300))
			tr.Search(func(it Item) bool { return it.Score < bound })
		}
		s.report(b, &tr, bytes, objects)
	})
}

// sortedSlice is the baseline: the order as one sorted slice, as the
// package's stand-in kept it. Rank is a binary search; Insert and Delete
// shift half the slice on average.
type sortedSlice []Item

func (s *sortedSlice) find(it Item, cmp Compare) (int, bool) {
	return slices.BinarySearchFunc(*s, it, cmp)
}

// BenchmarkBaselineSortedSlice runs Insert, Delete and Rank on the baseline.
func BenchmarkBaselineSortedSlice(b *testing.B) {
	build := func(s *benchSet) sortedSlice {
		ss := sortedSlice(slices.Clone(s.items))
		slices.SortFunc(ss, s.cmp)
		return ss
	}
	b.Run("op=Insert", func(b *testing.B) {
		ladder(b, func(b *testing.B, s *benchSet) {
			ss := build(s)
			batch, k := min(1024, len(s.items)/10), 0
			for b.Loop() {
				i, _ := ss.find(s.spare[k], s.cmp)
				ss = slices.Insert(ss, i, s.spare[k])
				if k++; k == batch {
					b.StopTimer()
					for _, it := range s.spare[:k] {
						i, _ := ss.find(it, s.cmp)
						ss = slices.Delete(ss, i, i+1)
					}
					k = 0
					b.StartTimer()
				}
			}
		})
	})
	b.Run("op=Delete", func(b *testing.B) {
		ladder(b, func(b *testing.B, s *benchSet) {
			ss := build(s)
			batch, k := min(1024, len(s.items)/10), 0
			for b.Loop() {
				i, _ := ss.find(s.items[k], s.cmp)
				ss = slices.Delete(ss, i, i+1)
				if k++; k == batch {
					b.StopTimer()
					for _, it := range s.items[:k] {
						i, _ := ss.find(it, s.cmp)
						ss = slices.Insert(ss, i, it)
					}
					k = 0
					b.StartTimer()
				}
			}
		})
	})
	b.Run("op=Rank", func(b *testing.B) {
		ladder(b, func(b *testing.B, s *benchSet) {
			ss := build(s)
			rng := rand.New(rand.NewPCG(2, 2))
			for b.Loop() {
				ss.find(s.items[rng.IntN(len(s.items))], s.cmp)
			}
		})
	})
}
