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
	modelLarge = flag.Int("model.large", 100_000, "size of TestModel's largest tree")
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

// model is the sorted set the tree is checked against, ordered the obvious
// way. Keeping a plain sorted slice would cost a 1.6 MB memmove per insert at
// 100k items, too slow for a test, so it keeps a sorted snapshot plus the
// entries added and removed since, folding them in every so often. Ranks
// come from binary search in the snapshot corrected by a scan of the changes.
type model struct {
	sorted  []entry           // in order, as of the last fold
	added   []entry           // inserted since
	removed []entry           // taken out of sorted since
	scores  map[uint64]float64 // member → score of everything in the set now
}

func newModel() *model { return &model{scores: map[uint64]float64{}} }

func (m *model) len() int { return len(m.scores) }

// rank is the number of entries below e.
func (m *model) rank(e entry) int {
	r, _ := slices.BinarySearchFunc(m.sorted, e, compareEntries)
	for _, a := range m.added {
		if compareEntries(a, e) < 0 {
			r++
		}
	}
	for _, d := range m.removed {
		if compareEntries(d, e) < 0 {
			r--
		}
	}
	return r
}

func (m *model) insert(e entry) {
	m.scores[e.member] = e.score
	m.added = append(m.added, e)
	m.maybeFold()
}

func (m *model) remove(member uint64) {
	e := entry{m.scores[member], member}
	delete(m.scores, member)
	if i := slices.IndexFunc(m.added, func(a entry) bool { return a.member == member }); i >= 0 {
		m.added[i] = m.added[len(m.added)-1]
		m.added = m.added[:len(m.added)-1]
	} else {
		m.removed = append(m.removed, e)
	}
	m.maybeFold()
}

func (m *model) maybeFold() {
	if pending := len(m.added) + len(m.removed); pending*pending > 2*len(m.sorted)+1024 {
		m.fold()
	}
}

// fold merges the changes into sorted.
func (m *model) fold() {
	gone := make(map[uint64]bool, len(m.removed))
	for _, d := range m.removed {
		gone[d.member] = true
	}
	slices.SortFunc(m.added, compareEntries)
	merged := make([]entry, 0, len(m.scores))
	a := m.added
	for _, e := range m.sorted {
		if gone[e.member] {
			continue
		}
		for len(a) > 0 && compareEntries(a[0], e) < 0 {
			merged = append(merged, a[0])
			a = a[1:]
		}
		merged = append(merged, e)
	}
	m.sorted = append(merged, a...)
	m.added, m.removed = m.added[:0], m.removed[:0]
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
	live    []uint64          // members in the set, to pick from
	liveAt  map[uint64]int    // member → index in live
	dead    []uint64          // some deleted members, to add back
}

func newHarness(t *testing.T, seed uint64) *harness {
	h := &harness{
		t:      t,
		seed:   seed,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		m:      newModel(),
		refOf:  map[uint64]uint64{},
		liveAt: map[uint64]int{},
		// Ref 0 is never written: a zero Item in the tree shows up as dead.
		members: []uint64{0},
		states:  []refState{refDead},
	}
	h.cmp = h.compare
	return h
}

func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("op %d (replay with -seed=%d): %s", h.op, h.seed, fmt.Sprintf(format, args...))
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
	h.t.Helper()
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

func (h *harness) item(member uint64) Item {
	return Item{h.m.scores[member], h.refOf[member]}
}

// probe is a second log entry for a member in the set, so that the tree is
// handed an item it does not hold but that compares equal to one it does.
func (h *harness) probe(member uint64) Item {
	return Item{h.m.scores[member], h.write(member, refProbe)}
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

func (h *harness) newMember() uint64 {
	if len(h.dead) > 0 && h.rng.IntN(4) == 0 {
		i := h.rng.IntN(len(h.dead))
		mem := h.dead[i]
		h.dead[i] = h.dead[len(h.dead)-1]
		h.dead = h.dead[:len(h.dead)-1]
		if _, in := h.m.scores[mem]; !in {
			return mem
		}
	}
	for {
		mem := h.rng.Uint64()
		if _, in := h.m.scores[mem]; mem != 0 && !in {
			return mem
		}
	}
}

func (h *harness) randomLive() uint64 { return h.live[h.rng.IntN(len(h.live))] }

// checkCalls fails if the last operation called cmp or a predicate more than
// O(log n) times: about log2(n) for the searches plus one or two per level.
func (h *harness) checkCalls(what string) {
	h.t.Helper()
	limit := 2*bits.Len(uint(h.m.len())) + 8
	if h.calls > limit {
		h.fatalf("%s made %d calls at %d items, limit %d", what, h.calls, h.m.len(), limit)
	}
	h.maxCmp = max(h.maxCmp, h.calls)
	h.calls = 0
}

// checkAt checks that the tree's item of rank r is the model's.
func (h *harness) checkAt(r int, it Item) {
	h.t.Helper()
	e := h.entryOf(it)
	s, in := h.m.scores[e.member]
	if !in || math.Float64bits(s) != math.Float64bits(e.score) || h.refOf[e.member] != it.Ref {
		h.fatalf("rank %d: tree has %v (member %d, score %v), model has score %v (present %v), Ref %d",
			r, it, e.member, e.score, s, in, h.refOf[e.member])
	}
	if want := h.m.rank(e); want != r {
		h.fatalf("tree has member %d at rank %d, model at %d", e.member, r, want)
	}
}

func (h *harness) insert() {
	mem := h.newMember()
	e := entry{h.score(), mem}
	want := h.m.rank(e)
	ref := h.write(mem, refProbe)
	got := h.tree.Insert(Item{e.score, ref}, h.cmp)
	h.checkCalls("Insert")
	if got != want {
		h.fatalf("Insert(%v) returned rank %d, want %d", e, got, want)
	}
	h.states[ref] = refStored
	h.refOf[mem] = ref
	h.m.insert(e)
	h.liveAt[mem] = len(h.live)
	h.live = append(h.live, mem)
}

// forget drops a member the tree no longer holds from the harness.
func (h *harness) forget(mem uint64) {
	h.states[h.refOf[mem]] = refDead
	delete(h.refOf, mem)
	h.m.remove(mem)
	i := h.liveAt[mem]
	last := h.live[len(h.live)-1]
	h.live[i], h.liveAt[last] = last, i
	h.live = h.live[:len(h.live)-1]
	delete(h.liveAt, mem)
	if len(h.dead) < 64 {
		h.dead = append(h.dead, mem)
	}
}

func (h *harness) delete() {
	mem := h.randomLive()
	it := h.item(mem)
	if h.rng.IntN(2) == 0 {
		it = h.probe(mem)
	}
	if !h.tree.Delete(it, h.cmp) {
		h.fatalf("Delete(%v) of member %d found nothing", it, mem)
	}
	h.checkCalls("Delete")
	h.forget(mem)
}

func (h *harness) deleteAt() {
	r := h.rng.IntN(h.m.len())
	it := h.tree.DeleteAt(r)
	h.checkAt(r, it)
	h.forget(h.members[it.Ref])
}

func (h *harness) deleteMissing() {
	it := Item{h.score(), h.write(h.newMember(), refProbe)}
	if h.tree.Delete(it, h.cmp) {
		h.fatalf("Delete(%v) of an absent member deleted something", it)
	}
	h.checkCalls("Delete")
}

func (h *harness) rank() {
	var it Item
	var e entry
	present := h.m.len() > 0 && h.rng.IntN(4) != 0
	if present {
		mem := h.randomLive()
		it, e = h.probe(mem), entry{h.m.scores[mem], mem}
	} else {
		e = entry{h.score(), h.newMember()}
		it = Item{e.score, h.write(e.member, refProbe)}
	}
	r, found := h.tree.Rank(it, h.cmp)
	h.checkCalls("Rank")
	if want := h.m.rank(e); r != want || found != present {
		h.fatalf("Rank(%v) = %d, %v; want %d, %v", e, r, found, want, present)
	}
}

func (h *harness) at() {
	r := h.rng.IntN(h.m.len())
	h.checkAt(r, h.tree.At(r))
}

// setRef relocates a member's entry, as the engine's cleaner does.
func (h *harness) setRef() {
	mem := h.randomLive()
	it := h.item(mem)
	if h.rng.IntN(2) == 0 {
		it = h.probe(mem)
	}
	old := h.refOf[mem]
	ref := h.write(mem, refProbe)
	if !h.tree.SetRef(it, ref, h.cmp) {
		h.fatalf("SetRef(%v) of member %d found nothing", it, mem)
	}
	h.checkCalls("SetRef")
	h.states[old], h.states[ref] = refDead, refStored
	h.refOf[mem] = ref
}

func (h *harness) setRefMissing() {
	it := Item{h.score(), h.write(h.newMember(), refProbe)}
	if h.tree.SetRef(it, it.Ref, h.cmp) {
		h.fatalf("SetRef(%v) of an absent member found something", it)
	}
	h.checkCalls("SetRef")
}

// search checks both kinds of bound the engine asks for: below a score
// (ZRANGEBYSCORE) and below an item (ZRANGEBYLEX's member order).
func (h *harness) search() {
	pivot := entry{h.score(), 0}
	var before func(Item) bool
	if h.rng.IntN(2) == 0 {
		before = func(it Item) bool { h.calls++; return h.entryOf(it).score < pivot.score }
	} else {
		pivot.member = h.rng.Uint64()
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
	n := h.m.len()
	from := h.rng.IntN(n+4) - 2
	steps := 1 + h.rng.IntN(8)
	ascend := h.rng.IntN(2) == 0
	start := max(from, 0)
	if !ascend {
		start = min(from, n-1)
	}
	next := start
	visited := 0
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

// checkAll compares the whole tree with the model and checks its structure.
func (h *harness) checkAll() {
	h.t.Helper()
	if err := checkTree(&h.tree); err != nil {
		h.fatalf("%v", err)
	}
	if h.tree.Len() != h.m.len() {
		h.fatalf("Len() = %d, model has %d", h.tree.Len(), h.m.len())
	}
	h.m.fold()
	i := 0
	h.tree.Ascend(0, func(r int, it Item) bool {
		if e := h.entryOf(it); r != i || e != h.m.sorted[i] || h.refOf[e.member] != it.Ref {
			h.fatalf("Ascend: rank %d is %v (%v), model has %v at %d", r, e, it, h.m.sorted[i], i)
		}
		i++
		return true
	})
	if i != h.m.len() {
		h.fatalf("Ascend visited %d of %d", i, h.m.len())
	}
	h.tree.Descend(h.m.len()-1, func(r int, it Item) bool {
		i--
		if e := h.entryOf(it); r != i || e != h.m.sorted[i] {
			h.fatalf("Descend: rank %d is %v, model has %v at %d", r, e, h.m.sorted[i], i)
		}
		return true
	})
	if i != 0 {
		h.fatalf("Descend stopped %d short", i)
	}
}

// step does one random operation. towards says which way the size should
// drift: +1 grow, -1 shrink, 0 stay about level.
func (h *harness) step(towards int) {
	h.op++
	n := h.m.len()
	if n == 0 {
		switch h.rng.IntN(6) {
		case 0:
			h.deleteMissing()
		case 1:
			h.rank()
		case 2:
			h.search()
		case 3:
			h.setRefMissing()
		case 4:
			h.walk()
		default:
			h.insert()
		}
		return
	}
	mutate := h.rng.IntN(10) < 6
	if !mutate {
		switch h.rng.IntN(8) {
		case 0, 1:
			h.rank()
		case 2, 3:
			h.at()
		case 4:
			h.search()
		case 5:
			h.walk()
		case 6:
			h.setRef()
		default:
			if h.rng.IntN(2) == 0 {
				h.deleteMissing()
			} else {
				h.setRefMissing()
			}
		}
		return
	}
	grow := h.rng.IntN(10) < 5+3*towards
	switch {
	case grow:
		h.insert()
	case h.rng.IntN(3) == 0:
		h.deleteAt()
	default:
		h.delete()
	}
}

// TestModel runs random operations on a tree and on a model side by side,
// growing and shrinking through the sizes where the tree changes shape: the
// single leaf growing and shrinking, the first split into a root, root splits
// and collapses, and a tree of model.large items.
func TestModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	large := *modelLarge
	t.Logf("seed %d (replay with -seed=%d), largest tree %d items", seed, seed, large)
	h := newHarness(t, seed)

	type phase struct {
		target int // drift to this size
		churn  int // then this many operations around it
		every  int // checkAll every this many operations
	}
	phases := []phase{
		{1, 50, 1}, {0, 20, 1}, {5, 200, 1}, {0, 20, 1},
		{130, 2_000, 1}, {3, 500, 1}, {0, 10, 1},
		{300, 3_000, 7}, {20, 1_000, 7},
		{10_000, 20_000, 2_000}, {200, 5_000, 500},
		{large, 10_000, 20_000}, {large / 3, 10_000, 20_000}, {0, 100, 1},
	}
	drift := func(p phase) {
		for h.m.len() != p.target {
			if h.m.len() < p.target {
				h.step(+1)
			} else {
				h.step(-1)
			}
			if h.op%p.every == 0 {
				h.checkAll()
			}
		}
		h.checkAll()
	}
	for _, p := range phases {
		drift(p)
		for range p.churn {
			h.step(0)
			if h.op%p.every == 0 {
				h.checkAll()
			}
		}
		drift(p)
	}
	if h.tree.MemoryBytes() != 0 || h.tree.root != nil || h.tree.leaf != nil {
		t.Fatalf("emptied tree keeps %d bytes of nodes", h.tree.MemoryBytes())
	}
	t.Logf("%d operations, at most %d compare or predicate calls in one", h.op, h.maxCmp)
}
