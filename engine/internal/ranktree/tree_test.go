package ranktree

import (
	"cmp"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// byScoreRef orders items by score, then Ref: the member bytes the engine
// would compare are replaced by the Ref itself.
func byScoreRef(a, b Item) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return cmp.Compare(a.Ref, b.Ref)
}

func mustCheck(t *testing.T, tr *Tree) {
	t.Helper()
	if err := checkTree(tr); err != nil {
		t.Fatal(err)
	}
}

// mustPanic fails unless f panics with a message containing want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one mentioning %q", r, want)
		}
	}()
	f()
}

func TestEmpty(t *testing.T) {
	var tr Tree
	if tr.Len() != 0 || tr.MemoryBytes() != 0 {
		t.Fatalf("zero Tree: Len %d, MemoryBytes %d", tr.Len(), tr.MemoryBytes())
	}
	if r, ok := tr.Rank(Item{1, 1}, byScoreRef); r != 0 || ok {
		t.Fatalf("Rank on empty tree = %d, %v", r, ok)
	}
	if tr.Delete(Item{1, 1}, byScoreRef) || tr.SetRef(Item{1, 1}, 2, byScoreRef) {
		t.Fatal("Delete or SetRef found an item in an empty tree")
	}
	if n := tr.Search(func(Item) bool { t.Fatal("Search called before on an empty tree"); return true }); n != 0 {
		t.Fatalf("Search on empty tree = %d", n)
	}
	visit := func(i int, it Item) bool { t.Fatalf("visited %d: %v in an empty tree", i, it); return true }
	for _, from := range []int{-1, 0, 1} {
		tr.Ascend(from, visit)
		tr.Descend(from, visit)
	}
	mustPanic(t, "At(0) out of range [0, 0)", func() { tr.At(0) })
	mustPanic(t, "DeleteAt(0) out of range [0, 0)", func() { tr.DeleteAt(0) })
	mustCheck(t, &tr)
}

func TestSingleItem(t *testing.T) {
	var tr Tree
	it := Item{Score: 2.5, Ref: 7}
	if r := tr.Insert(it, byScoreRef); r != 0 {
		t.Fatalf("Insert into empty tree returned rank %d", r)
	}
	mustCheck(t, &tr)
	if tr.Len() != 1 || tr.At(0) != it {
		t.Fatalf("Len %d, At(0) = %v", tr.Len(), tr.At(0))
	}
	if r, ok := tr.Rank(it, byScoreRef); r != 0 || !ok {
		t.Fatalf("Rank = %d, %v", r, ok)
	}
	if r, ok := tr.Rank(Item{3, 0}, byScoreRef); r != 1 || ok {
		t.Fatalf("Rank of a larger absent item = %d, %v; want 1, false", r, ok)
	}
	if got := tr.Search(func(x Item) bool { return x.Score < 3 }); got != 1 {
		t.Fatalf("Search(score < 3) = %d", got)
	}
	var seen []int
	tr.Ascend(-5, func(i int, _ Item) bool { seen = append(seen, i); return true })
	tr.Descend(5, func(i int, _ Item) bool { seen = append(seen, i); return true })
	if len(seen) != 2 || seen[0] != 0 || seen[1] != 0 {
		t.Fatalf("Ascend(-5) and Descend(5) visited %v, want [0 0]", seen)
	}
	if !tr.SetRef(it, 8, byScoreRef) || tr.At(0).Ref != 8 {
		t.Fatalf("SetRef: At(0) = %v", tr.At(0))
	}
	mustPanic(t, "At(1) out of range [0, 1)", func() { tr.At(1) })
	mustPanic(t, "At(-1) out of range [0, 1)", func() { tr.At(-1) })
	if got := tr.DeleteAt(0); got != (Item{2.5, 8}) {
		t.Fatalf("DeleteAt(0) = %v", got)
	}
	if tr.Len() != 0 || tr.MemoryBytes() != 0 {
		t.Fatalf("after the last delete: Len %d, MemoryBytes %d", tr.Len(), tr.MemoryBytes())
	}
	mustCheck(t, &tr)
}

// TestAtOutOfRange checks the panics of At and DeleteAt on trees of one leaf
// and of several levels, and that a failed DeleteAt leaves the tree alone.
func TestAtOutOfRange(t *testing.T) {
	for _, n := range []int{1, 100, 10_000} {
		var tr Tree
		for i := range n {
			tr.Insert(Item{float64(i), uint64(i)}, byScoreRef)
		}
		for _, i := range []int{-1, n, n + 1, math.MinInt, math.MaxInt} {
			mustPanic(t, "out of range", func() { tr.At(i) })
			mustPanic(t, "out of range", func() { tr.DeleteAt(i) })
		}
		if tr.Len() != n {
			t.Fatalf("Len %d after failed deletes, want %d", tr.Len(), n)
		}
		mustCheck(t, &tr)
	}
}

// TestInsertDuplicatePanics checks that inserting an item equal to one in
// the tree panics and leaves the tree sound with the same items, in a single
// leaf, at the moment the leaf would split, and in a deep tree.
func TestInsertDuplicatePanics(t *testing.T) {
	for _, n := range []int{1, leafCap, 10_000} {
		var tr Tree
		for i := range n {
			tr.Insert(Item{float64(i % 3), uint64(i)}, byScoreRef)
		}
		for _, i := range []int{0, n / 2, n - 1} {
			mustPanic(t, "already in the tree", func() { tr.Insert(Item{float64(i % 3), uint64(i)}, byScoreRef) })
		}
		if tr.Len() != n {
			t.Fatalf("after failed inserts: Len %d, want %d", tr.Len(), n)
		}
		mustCheck(t, &tr)
		for i := range n {
			if r, ok := tr.Rank(Item{float64(i % 3), uint64(i)}, byScoreRef); !ok || !sameItem(tr.At(r), Item{float64(i % 3), uint64(i)}) {
				t.Fatalf("after failed inserts: item %d at rank %d, found %v", i, r, ok)
			}
		}
	}
}

// TestSpecialScores checks that the tree keeps ±Inf, ±MaxFloat64 and -0.0
// bit for bit and in the compare's order. It never looks at scores itself:
// -0.0 and 0.0 tie and are told apart by Ref, as the engine's compare would
// tell them apart by member.
func TestSpecialScores(t *testing.T) {
	negZero := math.Copysign(0, -1)
	items := []Item{
		{math.Inf(1), 1}, {0, 2}, {negZero, 3}, {math.Inf(-1), 4},
		{-math.MaxFloat64, 5}, {math.MaxFloat64, 6}, {negZero, 1}, {math.Inf(-1), 0},
	}
	want := []Item{
		{math.Inf(-1), 0}, {math.Inf(-1), 4}, {-math.MaxFloat64, 5},
		{negZero, 1}, {0, 2}, {negZero, 3}, {math.MaxFloat64, 6}, {math.Inf(1), 1},
	}
	var tr Tree
	for _, it := range items {
		tr.Insert(it, byScoreRef)
	}
	for i, w := range want {
		if got := tr.At(i); !sameItem(got, w) {
			t.Fatalf("At(%d) = %v (sign bit %v), want %v (sign bit %v)",
				i, got, math.Signbit(got.Score), w, math.Signbit(w.Score))
		}
	}
	if got := tr.Search(func(x Item) bool { return x.Score < 0 }); got != 3 {
		t.Fatalf("Search(score < 0) = %d, want 3: -0.0 is not below 0", got)
	}
	if got := tr.Search(func(x Item) bool { return x.Score < math.Inf(1) }); got != 7 {
		t.Fatalf("Search(score < +Inf) = %d, want 7", got)
	}
	if got := tr.Search(func(x Item) bool { return x.Score <= math.Inf(1) }); got != 8 {
		t.Fatalf("Search(score <= +Inf) = %d, want 8", got)
	}
	if r, ok := tr.Rank(Item{negZero, 3}, byScoreRef); r != 5 || !ok {
		t.Fatalf("Rank(-0.0, 3) = %d, %v; want 5, true", r, ok)
	}
}

// TestSequentialFill checks that the patterns a sorted set sees most, scores
// that only grow (timestamps) or only shrink, fill leaves almost completely,
// that random order stays under 24 bytes per item, and that popping from
// either end keeps the tree within bounds and frees it at the end.
func TestSequentialFill(t *testing.T) {
	n := 100_000
	if raceEnabled || testing.Short() {
		n = 30_000 // fill depends on the pattern, not the size, past a few leaves per node
	}
	rng := rand.New(rand.NewPCG(1, 2))
	orders := map[string]func(i int) float64{
		"ascending":  func(i int) float64 { return float64(i) },
		"descending": func(i int) float64 { return float64(-i) },
		"random":     func(int) float64 { return rng.Float64() },
	}
	limits := map[string]float64{"ascending": 17, "descending": 17, "random": 24}
	for name, score := range orders {
		t.Run(name, func(t *testing.T) {
			var tr Tree
			for i := range n {
				tr.Insert(Item{score(i), uint64(i)}, byScoreRef)
			}
			mustCheck(t, &tr)
			perItem := float64(tr.MemoryBytes()) / float64(n)
			t.Logf("%d items: %.1f bytes per item", n, perItem)
			if perItem > limits[name] {
				t.Fatalf("%.1f bytes per item, want at most %v", perItem, limits[name])
			}
			for tr.Len() > 0 {
				if tr.Len()%2 == 0 {
					tr.DeleteAt(0)
				} else {
					tr.DeleteAt(tr.Len() - 1)
				}
				if tr.Len()%997 == 0 {
					mustCheck(t, &tr)
				}
			}
			if tr.MemoryBytes() != 0 || tr.root != nil || tr.leaf != nil {
				t.Fatalf("emptied tree keeps %d bytes", tr.MemoryBytes())
			}
		})
	}
}

// TestSmallTreeMemory checks that a small set costs what its items need, not
// a whole leaf.
func TestSmallTreeMemory(t *testing.T) {
	var tr Tree
	for i, want := range []int{32, 32, 64, 64, 128} {
		tr.Insert(Item{float64(i), 0}, byScoreRef)
		if got := tr.MemoryBytes(); got != want {
			t.Fatalf("%d items: MemoryBytes %d, want %d", i+1, got, want)
		}
	}
	for tr.Len() > 1 {
		tr.DeleteAt(0)
		mustCheck(t, &tr)
	}
	if got := tr.MemoryBytes(); got != rootLeafMinCap*itemBytes {
		t.Fatalf("1 item left: MemoryBytes %d", got)
	}
}

// TestNodeSizes pins the node layout MemoryBytes assumes: leaves and inner
// nodes fill their allocation size classes.
func TestNodeSizes(t *testing.T) {
	if itemBytes != 16 || leafCap*itemBytes != 2048 {
		t.Fatalf("Item is %d bytes, leaves %d: not the 2 KiB size class", itemBytes, leafCap*itemBytes)
	}
	// 3456 is the size class below 4096.
	if size := unsafe.Sizeof(inner{}); size <= 3456 || size > innerBytes {
		t.Fatalf("inner is %d bytes: it should just fit the %d-byte size class", size, innerBytes)
	}
}

// TestNoAllocs checks that lookups, walks and, in steady state, inserts and
// deletes do not allocate.
func TestNoAllocs(t *testing.T) {
	const n = 20_000
	var tr Tree
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range n {
		tr.Insert(Item{float64(rng.IntN(100)), uint64(i)}, byScoreRef)
	}
	probe := tr.At(n / 3)
	var sink int
	ops := map[string]func(){
		"Rank":    func() { r, _ := tr.Rank(probe, byScoreRef); sink += r },
		"At":      func() { sink += int(tr.At(n / 2).Ref) },
		"Search":  func() { sink += tr.Search(func(x Item) bool { return x.Score < 50 }) },
		"SetRef":  func() { tr.SetRef(probe, probe.Ref, byScoreRef) },
		"Ascend":  func() { tr.Ascend(n/2, func(i int, _ Item) bool { sink += i; return i < n/2+300 }) },
		"Descend": func() { tr.Descend(n/2, func(i int, _ Item) bool { sink += i; return i > n/2-300 }) },
		"Insert+Delete": func() {
			it := Item{50.5, n}
			tr.Insert(it, byScoreRef)
			tr.Delete(it, byScoreRef)
		},
		"DeleteAt+Insert": func() { tr.Insert(tr.DeleteAt(n/4), byScoreRef) },
	}
	for name, op := range ops {
		if allocs := testing.AllocsPerRun(100, op); allocs != 0 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
	mustCheck(t, &tr)
}

func TestReset(t *testing.T) {
	var tr Tree
	for i := range 5000 {
		tr.Insert(Item{float64(i), uint64(i)}, byScoreRef)
	}
	tr.Reset()
	if tr.Len() != 0 || tr.MemoryBytes() != 0 || tr.root != nil || tr.leaf != nil {
		t.Fatalf("after Reset: Len %d, MemoryBytes %d", tr.Len(), tr.MemoryBytes())
	}
	mustCheck(t, &tr)
	if r := tr.Insert(Item{1, 1}, byScoreRef); r != 0 || tr.Len() != 1 {
		t.Fatalf("Insert after Reset returned %d, Len %d", r, tr.Len())
	}
}
