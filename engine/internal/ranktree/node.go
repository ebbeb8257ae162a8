package ranktree

import "unsafe"

const (
	// leafCap is the capacity of every leaf under an inner node: 128 items
	// of 16 bytes, exactly a 2 KiB allocation size class. Larger leaves mean
	// fewer objects and less inner overhead per item but longer memmoves.
	leafCap = 128
	// minLeaf is the fewest items a leaf under an inner node keeps; one
	// below, it borrows from or merges with a sibling.
	minLeaf = leafCap / 2
	// rootLeafMinCap is the capacity the single leaf of a small tree starts
	// at; it doubles up to leafCap and halves when a quarter full.
	rootLeafMinCap = 2

	// fanout is the capacity of an inner node: 72 children of 56 bytes
	// (count, min, two child references) plus two words fill 4048 of the
	// 4096-byte size class an inner node is allocated from.
	fanout = 72
	// minKids is the fewest children an inner node other than the root keeps.
	minKids = fanout / 2

	itemBytes  = int(unsafe.Sizeof(Item{}))
	innerBytes = 4096 // the size class of inner; TestNodeSizes checks it
)

// inner is an inner node. Its children are all leaves (height 1) or all
// inner nodes of height-1, so exactly one of kids and leaves is in use; two
// typed arrays keep the leaves free of pointers without resorting to unsafe,
// for the price of 24 unused bytes per child.
//
// Invariants (checked by the tests' checkTree): for i < n, counts[i] is the
// number of items under child i and mins[i] is a copy of the first of them,
// Ref included; slots at n and beyond are zero, so they keep no node alive.
type inner struct {
	n      int // children in use
	height int // 1: children are leaves; h > 1: children are inner nodes of height h-1
	counts [fanout]int
	mins   [fanout]Item
	kids   [fanout]*inner
	leaves [fanout][]Item
}

// route returns the child it belongs under: the last child whose first item
// is at most it, or the first child. It stops early on an equal item.
func (n *inner) route(it Item, cmp Compare) int {
	lo, hi := 1, n.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := cmp(it, n.mins[mid]); {
		case c == 0:
			return mid
		case c > 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo - 1
}

// before is the number of items under the children ahead of child i.
func (n *inner) before(i int) int {
	sum := 0
	for _, c := range n.counts[:i] {
		sum += c
	}
	return sum
}

// total is the number of items under n.
func (n *inner) total() int { return n.before(n.n) }

// locate returns the child holding rank r of n, r's rank within that child,
// and the number of items in the children ahead of it. r must be below
// n.total().
func (n *inner) locate(r int) (child, rest, skipped int) {
	for r >= n.counts[child] {
		r -= n.counts[child]
		skipped += n.counts[child]
		child++
	}
	return child, r, skipped
}

// size is what limits merging child i: its items or its children.
func (n *inner) size(i int) int {
	if n.height == 1 {
		return len(n.leaves[i])
	}
	return n.kids[i].n
}

// refresh recomputes counts[i] and mins[i] from child i, which must not be
// empty.
func (n *inner) refresh(i int) {
	if n.height == 1 {
		n.counts[i] = len(n.leaves[i])
		n.mins[i] = n.leaves[i][0]
		return
	}
	n.counts[i] = n.kids[i].total()
	n.mins[i] = n.kids[i].mins[0]
}

// openGap shifts children [at, n) right by k, leaving k zero slots at at.
func (n *inner) openGap(at, k int) {
	copy(n.counts[at+k:], n.counts[at:n.n])
	copy(n.mins[at+k:], n.mins[at:n.n])
	copy(n.kids[at+k:], n.kids[at:n.n])
	copy(n.leaves[at+k:], n.leaves[at:n.n])
	clear(n.counts[at : at+k])
	clear(n.mins[at : at+k])
	clear(n.kids[at : at+k])
	clear(n.leaves[at : at+k])
	n.n += k
}

// closeGap removes children [at, at+k), shifting the rest left and zeroing
// the slots that fall free.
func (n *inner) closeGap(at, k int) {
	copy(n.counts[at:], n.counts[at+k:n.n])
	copy(n.mins[at:], n.mins[at+k:n.n])
	copy(n.kids[at:], n.kids[at+k:n.n])
	copy(n.leaves[at:], n.leaves[at+k:n.n])
	n.n -= k
	clear(n.counts[n.n : n.n+k])
	clear(n.mins[n.n : n.n+k])
	clear(n.kids[n.n : n.n+k])
	clear(n.leaves[n.n : n.n+k])
}

// appendKids appends k children of src, from si on, to dst.
func appendKids(dst, src *inner, si, k int) {
	copy(dst.counts[dst.n:], src.counts[si:si+k])
	copy(dst.mins[dst.n:], src.mins[si:si+k])
	copy(dst.kids[dst.n:], src.kids[si:si+k])
	copy(dst.leaves[dst.n:], src.leaves[si:si+k])
	dst.n += k
}

// shiftKids moves children between siblings left and right, keeping their
// order, so that left ends up with nl of them.
func shiftKids(left, right *inner, nl int) {
	switch k := nl - left.n; {
	case k > 0:
		appendKids(left, right, 0, k)
		right.closeGap(0, k)
	case k < 0:
		k = -k
		right.openGap(0, k)
		copy(right.counts[:k], left.counts[nl:left.n])
		copy(right.mins[:k], left.mins[nl:left.n])
		copy(right.kids[:k], left.kids[nl:left.n])
		copy(right.leaves[:k], left.leaves[nl:left.n])
		left.closeGap(nl, k)
	}
}

// shiftItems moves items between sibling leaves left and right, keeping their
// order, so that left ends up with nl of them. Both must have the capacity.
func shiftItems(left, right []Item, nl int) ([]Item, []Item) {
	switch k := nl - len(left); {
	case k > 0:
		left = append(left, right[:k]...)
		right = right[:copy(right, right[k:])]
	case k < 0:
		k = -k
		right = right[:len(right)+k]
		copy(right[k:], right)
		copy(right, left[nl:])
		left = left[:nl]
	}
	return left, right
}

// insertAt inserts it at position j of leaf, which must have spare capacity.
func insertAt(leaf []Item, j int, it Item) []Item {
	leaf = leaf[:len(leaf)+1]
	copy(leaf[j+1:], leaf[j:])
	leaf[j] = it
	return leaf
}

// removeAt removes the item at position j of leaf.
func removeAt(leaf []Item, j int) []Item {
	return leaf[:j+copy(leaf[j:], leaf[j+1:])]
}

// Nodes are made and dropped only through these, so that MemoryBytes stays
// exact.

func (t *Tree) newLeaf(capacity int) []Item {
	t.leafSlots += capacity
	return make([]Item, 0, capacity)
}

func (t *Tree) dropLeaf(leaf []Item) { t.leafSlots -= cap(leaf) }

func (t *Tree) newInner(height int) *inner {
	t.inners++
	return &inner{height: height}
}

func (t *Tree) dropInner(*inner) { t.inners-- }
