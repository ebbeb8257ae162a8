package ranktree

// Insert adds it and returns the rank where it landed. No item comparing
// equal to it may be in the tree: Insert panics if one is, and the tree still
// holds the items it held and is sound (though a full node on the way may
// have been split).
func (t *Tree) Insert(it Item, cmp Compare) int {
	if t.root == nil {
		j, found := search(t.leaf, it, cmp)
		if found {
			panicDuplicate()
		}
		if len(t.leaf) < leafCap {
			if len(t.leaf) == cap(t.leaf) {
				t.resizeRootLeaf(max(2*cap(t.leaf), rootLeafMinCap))
			}
			t.leaf = insertAt(t.leaf, j, it)
			t.len++
			return j
		}
		// The single leaf is full (and so at leafCap): it becomes the only
		// child of a root, and insertInLeaf splits it.
		t.root = t.newInner(1)
		t.root.n = 1
		t.root.leaves[0] = t.leaf
		t.root.refresh(0)
		t.leaf = nil
	} else if t.root.n == fanout {
		old := t.root
		t.root = t.newInner(old.height + 1)
		t.root.n = 1
		t.root.kids[0] = old
		t.root.refresh(0)
		t.splitKid(t.root, 0)
	}
	r := t.insert(t.root, it, cmp)
	t.len++
	return r
}

// insert adds it under n, which has room for one more child, and returns its
// rank within n. Full inner children are split on the way down, so a leaf
// split always finds room in its parent.
func (t *Tree) insert(n *inner, it Item, cmp Compare) int {
	i := n.route(it, cmp)
	if n.height == 1 {
		return t.insertInLeaf(n, i, it, cmp)
	}
	if n.kids[i].n == fanout {
		t.splitKid(n, i)
		if cmp(it, n.mins[i+1]) >= 0 {
			i++
		}
	}
	r := n.before(i) + t.insert(n.kids[i], it, cmp)
	n.counts[i]++
	n.mins[i] = n.kids[i].mins[0]
	return r
}

// insertInLeaf adds it to leaf i of n and returns its rank within n.
func (t *Tree) insertInLeaf(n *inner, i int, it Item, cmp Compare) int {
	leaf := n.leaves[i]
	j, found := search(leaf, it, cmp)
	if found {
		panicDuplicate()
	}
	if len(leaf) < leafCap {
		n.leaves[i] = insertAt(leaf, j, it)
		n.counts[i]++
		if j == 0 {
			n.mins[i] = it
		}
		return n.before(i) + j
	}

	// The leaf is full. Rather than split it, share its items with a
	// sibling that has room: this is what keeps leaves well filled. Only
	// when both siblings are full too does a new, empty leaf come in as the
	// sibling. Either way, it and the items of leaves a and a+1 are then
	// dealt out evenly between those two.
	a, p := i, j // p: its position in leaves a and a+1 taken as one
	switch s := n.roomiestSibling(i); {
	case s < 0:
		n.openGap(i+1, 1)
		n.leaves[i+1] = t.newLeaf(leafCap)
	case s == i-1:
		a, p = i-1, len(n.leaves[i-1])+j
	}
	left, right := n.leaves[a], n.leaves[a+1]
	nl := (len(left) + len(right) + 1) / 2 // left's share, it included
	if p < nl {
		left, right = shiftItems(left, right, nl-1)
		left = insertAt(left, p, it)
	} else {
		left, right = shiftItems(left, right, nl)
		right = insertAt(right, p-nl, it)
	}
	n.leaves[a], n.leaves[a+1] = left, right
	n.refresh(a)
	n.refresh(a + 1)
	return n.before(a) + p
}

// roomiestSibling returns whichever neighbour of leaf i holds fewer items, or
// -1 if neither has room for one more.
func (n *inner) roomiestSibling(i int) int {
	best, fewest := -1, leafCap
	if i > 0 && len(n.leaves[i-1]) < fewest {
		best, fewest = i-1, len(n.leaves[i-1])
	}
	if i+1 < n.n && len(n.leaves[i+1]) < fewest {
		best = i + 1
	}
	return best
}

// splitKid moves the upper half of n's full inner child i to a new sibling
// at i+1. n must have room for it.
func (t *Tree) splitKid(n *inner, i int) {
	left := n.kids[i]
	right := t.newInner(left.height)
	half := left.n / 2
	appendKids(right, left, half, left.n-half)
	left.closeGap(half, left.n-half)
	n.openGap(i+1, 1)
	n.kids[i+1] = right
	n.refresh(i)
	n.refresh(i + 1)
}

// resizeRootLeaf moves the single leaf of a small tree to one of the given
// capacity.
func (t *Tree) resizeRootLeaf(capacity int) {
	leaf := append(t.newLeaf(capacity), t.leaf...)
	t.dropLeaf(t.leaf)
	t.leaf = leaf
}

func panicDuplicate() {
	panic("ranktree: Insert of an item comparing equal to one already in the tree")
}
