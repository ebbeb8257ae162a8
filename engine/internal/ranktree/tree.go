package ranktree

import "fmt"

// Item is one sorted-set element: its score and an opaque reference (the
// engine packs the log location of the member's entry into it).
type Item struct {
	Score float64
	Ref   uint64
}

// Compare orders two items: negative, zero or positive. The engine's compare
// looks at Score first and, for equal scores, compares the member bytes it
// reads through Ref. Two items compare equal only when they are the same
// member. The tree calls it as cmp(it, stored): see the package comment.
type Compare func(a, b Item) int

// Tree is the order of one sorted set. The zero value is an empty tree ready
// to use. It is not safe for concurrent use.
type Tree struct {
	root *inner // nil while every item fits in leaf
	leaf []Item // the only leaf while root is nil; nil when the tree is empty
	len  int

	// What the nodes cost, kept as they come and go so MemoryBytes is O(1).
	leafSlots int // item slots in all leaves
	inners    int // inner nodes
}

// Len is the number of items.
func (t *Tree) Len() int { return t.len }

// Reset drops every item and every node.
func (t *Tree) Reset() { *t = Tree{} }

// MemoryBytes is roughly what the tree's nodes occupy on the heap: the
// allocations its leaves and inner nodes round up to, not counting the Tree
// itself.
func (t *Tree) MemoryBytes() int {
	return t.leafSlots*itemBytes + t.inners*innerBytes
}

// Rank returns the 0-based rank of the item comparing equal to it. When
// there is none it returns the rank it would have if inserted (the number of
// smaller items) and false.
func (t *Tree) Rank(it Item, cmp Compare) (int, bool) {
	leaf, rank := t.leaf, 0
	for n := t.root; n != nil; {
		i := n.route(it, cmp)
		rank += n.before(i)
		if n.height == 1 {
			leaf = n.leaves[i]
			break
		}
		n = n.kids[i]
	}
	j, found := search(leaf, it, cmp)
	return rank + j, found
}

// At returns the item of rank i. It panics unless 0 <= i < Len().
func (t *Tree) At(i int) Item {
	t.checkRank("At", i)
	leaf, j := t.locate(i)
	return leaf[j]
}

// SetRef finds the item comparing equal to it and replaces its Ref with ref,
// reporting whether it was there. The engine's cleaner calls it when it moves
// a member's entry; the order does not change.
func (t *Tree) SetRef(it Item, ref uint64, cmp Compare) bool {
	if t.root == nil {
		j, found := search(t.leaf, it, cmp)
		if found {
			t.leaf[j].Ref = ref
		}
		return found
	}
	found, _ := setRef(t.root, it, ref, cmp)
	return found
}

// setRef is SetRef below n. first reports that the item was the first one
// under n, so that the caller's copy in mins must change too.
func setRef(n *inner, it Item, ref uint64, cmp Compare) (found, first bool) {
	i := n.route(it, cmp)
	if n.height == 1 {
		var j int
		if j, found = search(n.leaves[i], it, cmp); !found {
			return false, false
		}
		n.leaves[i][j].Ref = ref
		first = j == 0
	} else if found, first = setRef(n.kids[i], it, ref, cmp); !found {
		return false, false
	}
	if first {
		n.mins[i].Ref = ref
	}
	return true, first && i == 0
}

// Search returns the number of leading items for which before is true. before
// must be monotone over the tree's order (true for a prefix, false after it),
// as "score < x" or "member < m" are for a sorted set; Search is then a lower
// bound, calling before O(log n) times.
func (t *Tree) Search(before func(Item) bool) int {
	leaf, rank := t.leaf, 0
	for n := t.root; n != nil; {
		// Descend into the last child whose first item is before: every
		// child ahead of it is wholly before and every one after it not.
		lo, hi := 1, n.n
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if before(n.mins[mid]) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		i := lo - 1
		rank += n.before(i)
		if n.height == 1 {
			leaf = n.leaves[i]
			break
		}
		n = n.kids[i]
	}
	lo, hi := 0, len(leaf)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if before(leaf[mid]) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return rank + lo
}

// Ascend calls fn with the items of rank from, from+1, ... up to Len()-1,
// until fn returns false. A negative from starts at 0. fn must not modify the
// tree.
func (t *Tree) Ascend(from int, fn func(i int, it Item) bool) {
	from = max(from, 0)
	if from >= t.len {
		return
	}
	if t.root == nil {
		ascendLeaf(t.leaf, from, 0, fn)
		return
	}
	ascend(t.root, from, 0, fn)
}

func ascend(n *inner, from, base int, fn func(int, Item) bool) bool {
	i, from, skipped := n.locate(from)
	base += skipped
	for ; i < n.n; i++ {
		var more bool
		if n.height == 1 {
			more = ascendLeaf(n.leaves[i], from, base, fn)
		} else {
			more = ascend(n.kids[i], from, base, fn)
		}
		if !more {
			return false
		}
		base += n.counts[i]
		from = 0
	}
	return true
}

func ascendLeaf(leaf []Item, from, base int, fn func(int, Item) bool) bool {
	for j := from; j < len(leaf); j++ {
		if !fn(base+j, leaf[j]) {
			return false
		}
	}
	return true
}

// Descend calls fn with the items of rank from, from-1, ... down to 0, until
// fn returns false. A from at or past Len() starts at the last item. fn must
// not modify the tree.
func (t *Tree) Descend(from int, fn func(i int, it Item) bool) {
	from = min(from, t.len-1)
	if from < 0 {
		return
	}
	if t.root == nil {
		descendLeaf(t.leaf, from, 0, fn)
		return
	}
	descend(t.root, from, 0, fn)
}

func descend(n *inner, from, base int, fn func(int, Item) bool) bool {
	i, from, skipped := n.locate(from)
	base += skipped
	for {
		var more bool
		if n.height == 1 {
			more = descendLeaf(n.leaves[i], from, base, fn)
		} else {
			more = descend(n.kids[i], from, base, fn)
		}
		if !more || i == 0 {
			return more
		}
		i--
		base -= n.counts[i]
		from = n.counts[i] - 1
	}
}

func descendLeaf(leaf []Item, from, base int, fn func(int, Item) bool) bool {
	for j := from; j >= 0; j-- {
		if !fn(base+j, leaf[j]) {
			return false
		}
	}
	return true
}

// locate returns the leaf holding rank i and i's position in it.
func (t *Tree) locate(i int) ([]Item, int) {
	leaf := t.leaf
	for n := t.root; n != nil; {
		k, rest, _ := n.locate(i)
		i = rest
		if n.height == 1 {
			leaf = n.leaves[k]
			break
		}
		n = n.kids[k]
	}
	return leaf, i
}

func (t *Tree) checkRank(op string, i int) {
	if uint(i) >= uint(t.len) {
		panic(fmt.Sprintf("ranktree: %s(%d) out of range [0, %d)", op, i, t.len))
	}
}

// search finds it in a leaf by binary search: the position of the first item
// not below it, and whether that item compares equal.
func search(leaf []Item, it Item, cmp Compare) (int, bool) {
	lo, hi := 0, len(leaf)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := cmp(it, leaf[mid]); {
		case c == 0:
			return mid, true
		case c > 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
}
