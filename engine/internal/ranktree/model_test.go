package ranktree

import (
	"cmp"
	"flag"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

var (
	modelSeed  = flag.Uint64("seed", 0, "seed for TestModel (0 = random, logged)")
	modelLarge = flag.Int("model.large", 0, "size of TestModel's largest tree (0 = 100k; 50k under -race, 30k with -short)")
)

// entry is a sorted-set element as the model holds it: by member, not by Ref.
type entry struct {
	score  float64
	member uint64 // never 0, so (s, 0) sorts before every entry of score s
}

// compareEntries is the engine's order: score, then member. -0.0 and 0.0 are
// the same score, as they are to Redis.
func compareEntries(a, b entry) int {
	switch {
	case a.score < b.score:
		return -1
	case a.score > b.score:
		return 1
	}
	return cmp.Compare(a.member, b.member)
}

// sameEntry is bitwise equality: -0.0 is not 0.0 here.
func sameEntry(a, b entry) bool {
	return a.member == b.member && math.Float64bits(a.score) == math.Float64bits(b.score)
}

// model is the sorted set the tree is checked against. Every entry the test
// may insert is drawn up front into universe and sorted once; the set is
// which of them are present, and an entry's rank is the number of present
// entries ahead of it in the universe. A Fenwick tree does that counting, so
// that a run through 100k items stays quick under -race where re-sorting or
// shifting a slice would not.
type model struct {
	universe []entry
	present  []bool
	fenwick  []int          // 1-based Fenwick tree over present
	slotOf   map[uint64]int // member → universe index of its present entry
	len      int
}

func newModel(universe []entry) *model {
	return &model{
		universe: universe,
		present:  make([]bool, len(universe)),
		fenwick:  make([]int, len(universe)+1),
		slotOf:   map[uint64]int{},
	}
}

func (m *model) add(slot, delta int) {
	for i := slot + 1; i < len(m.fenwick); i += i & -i {
		m.fenwick[i] += delta
	}
}

func (m *model) insert(slot int) {
	m.present[slot] = true
	m.slotOf[m.universe[slot].member] = slot
	m.add(slot, 1)
	m.len++
}

func (m *model) remove(slot int) {
	m.present[slot] = false
	delete(m.slotOf, m.universe[slot].member)
	m.add(slot, -1)
	m.len--
}

// before is the number of present entries in universe[:slot]: the rank of
// universe[slot], present or not.
func (m *model) before(slot int) int {
	n := 0
	for i := slot; i > 0; i -= i & -i {
		n += m.fenwick[i]
	}
	return n
}

// rank is the number of present entries below e, which need not be in the
// universe.
func (m *model) rank(e entry) int {
	slot, _ := slices.BinarySearchFunc(m.universe, e, compareEntries)
	return m.before(slot)
}

// nth returns the slot of the present entry of rank r.
func (m *model) nth(r int) int {
	pos := 0
	for step := 1 << (bits.Len(uint(len(m.fenwick))) - 1); step > 0; step >>= 1 {
		if next := pos + step; next < len(m.fenwick) && m.fenwick[next] <= r {
			pos = next
			r -= m.fenwick[next]
		}
	}
	return pos
}

// drawUniverse draws size entries, scores from score and members from a pool
// of 2/3 as many, so that a member comes back with other scores.
func drawUniverse(rng *rand.Rand, size int, score func() float64) []entry {
	pool := make([]uint64, max(2*size/3, 1))
	for i := range pool {
		pool[i] = rng.Uint64() | 1
	}
	u := make([]entry, size)
	for i := range u {
		u[i] = entry{score(), pool[rng.IntN(len(pool))]}
	}
	slices.SortFunc(u, compareEntries)
	return slices.CompactFunc(u, func(a, b entry) bool { return compareEntries(a, b) == 0 })
}

// refState is what the fake log knows of a Ref.
type refState uint8

const (
	refDead   refState = iota // deleted or relocated: the engine may have reused the space
	refProbe                  // written for a lookup or being inserted, not in the tree
	refStored                 // in the tree
)

// harness runs TestModel: a tree and a model fed the same operations, with a
// fake engine log the compare function reads members through.
type harness struct {
	t      *testing.T
	rng    *rand.Rand
	seed   uint64
	op     int
	tree   Tree
	m      *model
	cmp    Compare
	calls  int // cmp or Search predicate calls in the current operation
	maxCmp int // the most calls any operation made

	// The fake log: Ref r holds members[r] and is in state states[r].
	members []uint64
	states  []refState
	refOf   map[uint64]uint64 // member → Ref of its entry in the tree
}

func newHarness(t *testing.T, seed, stream uint64, universe int) *harness {
	h := &harness{
		t:     t,
		seed:  seed,
		rng:   rand.New(rand.NewPCG(seed, stream)),
		refOf: map[uint64]uint64{},
		// Ref 0 is never written: a zero Item in the tree shows up as dead.
		members: []uint64{0},
		states:  []refState{refDead},
	}
	h.m = newModel(drawUniverse(h.rng, universe, h.score))
	h.cmp = h.compare
	return h
}

func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("op %d (replay with -run='%s' -seed=%d): %s", h.op, h.t.Name(), h.seed, fmt.Sprintf(format, args...))
}

// compare is the engine's Compare over the fake log. It fails the test if
// the tree passes anything but an item in the tree as the second argument, or
// a deleted or relocated Ref as either: that is the contract the engine
// relies on.
func (h *harness) compare(a, b Item) int {
	h.calls++
	if h.states[b.Ref] != refStored {
		h.fatalf("compare's second argument %v is not in the tree (state %d)", b, h.states[b.Ref])
	}
	if h.states[a.Ref] == refDead {
		h.fatalf("compare's first argument %v is a dead Ref", a)
	}
	return compareEntries(entry{a.Score, h.members[a.Ref]}, entry{b.Score, h.members[b.Ref]})
}

// entryOf reads an item the tree handed out back through the log.
func (h *harness) entryOf(it Item) entry {
	if h.states[it.Ref] != refStored {
		h.fatalf("tree handed out %v, which is not in it (state %d)", it, h.states[it.Ref])
	}
	return entry{it.Score, h.members[it.Ref]}
}

func (h *harness) write(member uint64, state refState) uint64 {
	h.members = append(h.members, member)
	h.states = append(h.states, state)
	return uint64(len(h.members) - 1)
}

// stored is the tree's item for the present entry in slot.
func (h *harness) stored(slot int) Item {
	e := h.m.universe[slot]
	return Item{e.score, h.refOf[e.member]}
}

// probe is a second log entry for e, so that the tree is handed an item it
// does not hold that compares equal to one it may.
func (h *harness) probe(e entry) Item {
	return Item{e.score, h.write(e.member, refProbe)}
}

// storedOrProbe is either way of naming the present entry in slot.
func (h *harness) storedOrProbe(slot int) Item {
	if h.rng.IntN(2) == 0 {
		return h.stored(slot)
	}
	return h.probe(h.m.universe[slot])
}

var specialScores = []float64{
	math.Inf(-1), -math.MaxFloat64, -1, math.Copysign(0, -1), 0,
	math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1),
}

// score draws mostly from a handful of values, so that most comparisons tie
// on score and go on to the member.
func (h *harness) score() float64 {
	switch h.rng.IntN(8) {
	case 0:
		return specialScores[h.rng.IntN(len(specialScores))]
	case 1:
		return h.rng.NormFloat64() * 1e6
	default:
		return float64(h.rng.IntN(5))
	}
}

// presentSlot picks a random entry in the set.
func (h *harness) presentSlot() int { return h.m.nth(h.rng.IntN(h.m.len)) }

// absentSlot picks a random entry not in the set; when insertable, its
// member is not in the set either.
func (h *harness) absentSlot(insertable bool) int {
	for {
		slot := h.rng.IntN(len(h.m.universe))
		if h.m.present[slot] {
			continue
		}
		if _, in := h.m.slotOf[h.m.universe[slot].member]; !in || !insertable {
			return slot
		}
	}
}

// absent is an entry not in the set: from the universe, perhaps a member in
// the set with another score, or outside it.
func (h *harness) absent() entry {
	if h.rng.IntN(2) == 0 {
		return h.m.universe[h.absentSlot(false)]
	}
	return entry{h.score(), (h.rng.Uint64() | 2) &^ 1} // universe members are odd
}

// checkCalls fails if the last operation called cmp or a predicate more than
// O(log n) times: about log2(n) for the searches plus one or two per level.
func (h *harness) checkCalls(what string) {
	limit := 2*bits.Len(uint(h.m.len)) + 8
	if h.calls > limit {
		h.fatalf("%s made %d calls at %d items, limit %d", what, h.calls, h.m.len, limit)
	}
	h.maxCmp = max(h.maxCmp, h.calls)
	h.calls = 0
}

// checkAt checks that the tree's item of rank r is the model's.
func (h *harness) checkAt(r int, it Item) {
	e := h.entryOf(it)
	slot, in := h.m.slotOf[e.member]
	if !in || !sameEntry(h.m.universe[slot], e) || h.refOf[e.member] != it.Ref {
		h.fatalf("rank %d: tree has %v, %v; model has %v (present %v), Ref %d",
			r, it, e, h.m.universe[slot], in, h.refOf[e.member])
	}
	if want := h.m.before(slot); want != r {
		h.fatalf("tree has %v at rank %d, model at %d", e, r, want)
	}
}

func (h *harness) insert() {
	slot := h.absentSlot(true)
	e := h.m.universe[slot]
	ref := h.write(e.member, refProbe)
	got := h.tree.Insert(Item{e.score, ref}, h.cmp)
	h.checkCalls("Insert")
	if want := h.m.before(slot); got != want {
		h.fatalf("Insert(%v) returned rank %d, want %d", e, got, want)
	}
	h.states[ref] = refStored
	h.refOf[e.member] = ref
	h.m.insert(slot)
}

// forget drops an entry the tree no longer holds.
func (h *harness) forget(slot int) {
	mem := h.m.universe[slot].member
	h.states[h.refOf[mem]] = refDead
	delete(h.refOf, mem)
	h.m.remove(slot)
}

func (h *harness) delete() {
	slot := h.presentSlot()
	it := h.storedOrProbe(slot)
	if !h.tree.Delete(it, h.cmp) {
		h.fatalf("Delete(%v) of %v found nothing", it, h.m.universe[slot])
	}
	h.checkCalls("Delete")
	h.forget(slot)
}

func (h *harness) deleteAt() {
	r := h.rng.IntN(h.m.len)
	it := h.tree.DeleteAt(r)
	h.checkAt(r, it)
	h.forget(h.m.slotOf[h.members[it.Ref]])
}

func (h *harness) deleteAbsent() {
	e := h.absent()
	if it := h.probe(e); h.tree.Delete(it, h.cmp) {
		h.fatalf("Delete(%v) of absent %v deleted something", it, e)
	}
	h.checkCalls("Delete")
}

func (h *harness) rank() {
	var it Item
	var e entry
	present := h.m.len > 0 && h.rng.IntN(4) != 0
	if present {
		slot := h.presentSlot()
		it, e = h.storedOrProbe(slot), h.m.universe[slot]
	} else {
		e = h.absent()
		it = h.probe(e)
	}
	r, found := h.tree.Rank(it, h.cmp)
	h.checkCalls("Rank")
	if want := h.m.rank(e); r != want || found != present {
		h.fatalf("Rank(%v) = %d, %v; want %d, %v", e, r, found, want, present)
	}
}

func (h *harness) at() {
	r := h.rng.IntN(h.m.len)
	h.checkAt(r, h.tree.At(r))
}

// setRef relocates an entry, as the engine's cleaner does.
func (h *harness) setRef() {
	slot := h.presentSlot()
	it := h.storedOrProbe(slot)
	mem := h.m.universe[slot].member
	old := h.refOf[mem]
	ref := h.write(mem, refProbe)
	if !h.tree.SetRef(it, ref, h.cmp) {
		h.fatalf("SetRef(%v) of %v found nothing", it, h.m.universe[slot])
	}
	h.checkCalls("SetRef")
	h.states[old], h.states[ref] = refDead, refStored
	h.refOf[mem] = ref
}

func (h *harness) setRefAbsent() {
	e := h.absent()
	if it := h.probe(e); h.tree.SetRef(it, it.Ref, h.cmp) {
		h.fatalf("SetRef(%v) of absent %v found something", it, e)
	}
	h.checkCalls("SetRef")
}

// search checks both kinds of bound the engine asks for: below a score
// (ZRANGEBYSCORE) and below an entry (the member order of ZRANGEBYLEX).
func (h *harness) search() {
	pivot := entry{h.score(), 0}
	var before func(Item) bool
	if h.rng.IntN(2) == 0 {
		before = func(it Item) bool { h.calls++; return h.entryOf(it).score < pivot.score }
	} else {
		pivot = h.absent()
		if h.m.len > 0 && h.rng.IntN(2) == 0 {
			pivot = h.m.universe[h.presentSlot()]
		}
		before = func(it Item) bool { h.calls++; return compareEntries(h.entryOf(it), pivot) < 0 }
	}
	got := h.tree.Search(before)
	h.checkCalls("Search")
	if want := h.m.rank(pivot); got != want {
		h.fatalf("Search below %v = %d, want %d", pivot, got, want)
	}
}

// walk ascends or descends from a random rank, possibly outside the tree,
// for a few steps.
func (h *harness) walk() {
	n := h.m.len
	from := h.rng.IntN(n+4) - 2
	steps := 1 + h.rng.IntN(8)
	ascend := h.rng.IntN(2) == 0
	start := max(from, 0)
	if !ascend {
		start = min(from, n-1)
	}
	next, visited := start, 0
	fn := func(i int, it Item) bool {
		if i != next {
			h.fatalf("walk from %d (ascending %v) visited rank %d, want %d", from, ascend, i, next)
		}
		h.checkAt(i, it)
		visited++
		if ascend {
			next++
		} else {
			next--
		}
		return visited < steps
	}
	var want int
	if ascend {
		h.tree.Ascend(from, fn)
		want = min(steps, max(n-start, 0))
	} else {
		h.tree.Descend(from, fn)
		want = min(steps, max(start+1, 0))
	}
	if visited != want {
		h.fatalf("walk from %d (ascending %v) over %d items visited %d, want %d", from, ascend, n, visited, want)
	}
}

func (h *harness) checkTree() {
	h.t.Helper()
	if err := checkTree(&h.tree); err != nil {
		h.fatalf("%v", err)
	}
}

// checkAll compares the whole tree with the model, both ways round, and
// checks its structure.
func (h *harness) checkAll() {
	h.t.Helper()
	h.checkTree()
	if h.tree.Len() != h.m.len {
		h.fatalf("Len() = %d, model has %d", h.tree.Len(), h.m.len)
	}
	next := 0
	h.tree.Ascend(0, func(r int, it Item) bool {
		if r != next {
			h.fatalf("Ascend visited rank %d, want %d", r, next)
		}
		h.checkAt(r, it)
		next++
		return true
	})
	if next != h.m.len {
		h.fatalf("Ascend visited %d of %d", next, h.m.len)
	}
	h.tree.Descend(h.m.len-1, func(r int, it Item) bool {
		next--
		if r != next || !sameItem(it, h.stored(h.m.nth(r))) {
			h.fatalf("Descend visited %v at rank %d, want rank %d", it, r, next)
		}
		return true
	})
	if next != 0 {
		h.fatalf("Descend stopped %d short", next)
	}
}

// step does one random operation. towards is the way the size should drift:
// +1 grow, -1 shrink, 0 stay level.
func (h *harness) step(towards int) {
	h.op++
	if h.m.len == 0 {
		switch h.rng.IntN(6) {
		case 0:
			h.deleteAbsent()
		case 1:
			h.rank()
		case 2:
			h.search()
		case 3:
			h.setRefAbsent()
		case 4:
			h.walk()
		default:
			h.insert()
		}
		return
	}
	// Level, half the operations mutate, half and half inserts and deletes;
	// drifting, 95% mutate, 95% of those the way of the drift.
	mutate := h.rng.IntN(20) < 10+9*towards*towards
	if !mutate {
		switch h.rng.IntN(10) {
		case 0, 1:
			h.rank()
		case 2, 3:
			h.at()
		case 4, 5:
			h.search()
		case 6:
			h.walk()
		case 7, 8:
			h.setRef()
		default:
			if h.rng.IntN(2) == 0 {
				h.deleteAbsent()
			} else {
				h.setRefAbsent()
			}
		}
		return
	}
	switch {
	case h.rng.IntN(20) < 10+9*towards:
		h.insert()
	case h.rng.IntN(3) == 0:
		h.deleteAt()
	default:
		h.delete()
	}
}

// modelPhase drifts the size to target, churns for so many operations
// around it and drifts back.
type modelPhase struct{ target, churn int }

// TestModel runs random operations on a tree and on a model side by side,
// growing and shrinking through the sizes where the tree changes shape: the
// single leaf growing and shrinking, the first split into a root, root splits
// and collapses, draining to nothing, and a tree of -model.large items, three
// levels deep. The two runs use their own random streams of one logged seed.
func TestModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	large := *modelLarge
	if large == 0 {
		// Under -race an operation costs about 20µs of CPU, so the
		// largest tree is halved there to stay within a few seconds.
		switch {
		case testing.Short():
			large = 30_000
		case raceEnabled:
			large = 50_000
		default:
			large = 100_000
		}
	}
	t.Logf("seed %d (replay with -seed=%d), largest tree %d items", seed, seed, large)
	runs := []struct {
		name   string
		phases []modelPhase
	}{
		{"small", []modelPhase{
			{1, 50}, {0, 20}, {5, 200}, {0, 20},
			{130, 2_000}, {3, 500}, {0, 10},
			{300, 3_000}, {20, 1_000},
			{10_000, 20_000}, {200, 5_000}, {0, 10},
		}},
		// Draining a three-level tree to nothing is the small run's job;
		// this one merges and borrows among many more nodes, and is done
		// in half the operations a full drain would take.
		{"large", []modelPhase{{large, 10_000}, {large / 2, 10_000}}},
	}
	for i, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			t.Parallel()
			runModel(t, seed, uint64(i), run.phases)
		})
	}
}

func runModel(t *testing.T, seed, stream uint64, phases []modelPhase) {
	most := 0
	for _, p := range phases {
		most = max(most, p.target)
	}
	h := newHarness(t, seed, stream, 3*most)

	// Checking the structure costs O(len/leafCap) and comparing every item
	// O(len), so they run every len/leafCap and every 4·len operations: a
	// constant cost per operation. Every phase ends with both.
	step := func(towards int) {
		h.step(towards)
		if h.op%max(1, 4*h.m.len) == 0 {
			h.checkAll()
		} else if h.op%max(1, h.m.len/leafCap) == 0 {
			h.checkTree()
		}
	}
	drift := func(target int) {
		for h.m.len != target {
			if h.m.len < target {
				step(+1)
			} else {
				step(-1)
			}
		}
		h.checkAll()
	}
	for _, p := range phases {
		drift(p.target)
		for range p.churn {
			step(0)
		}
		drift(p.target)
	}
	if h.m.len == 0 && (h.tree.MemoryBytes() != 0 || h.tree.root != nil || h.tree.leaf != nil) {
		t.Fatalf("emptied tree keeps %d bytes of nodes", h.tree.MemoryBytes())
	}
	t.Logf("%d operations, at most %d compare or predicate calls in one", h.op, h.maxCmp)
}
