package ranktree

// Delete removes the item comparing equal to it, reporting whether there was
// one.
func (t *Tree) Delete(it Item, cmp Compare) bool {
	if t.root == nil {
		j, found := search(t.leaf, it, cmp)
		if found {
			t.removeFromRootLeaf(j)
		}
		return found
	}
	if !t.delete(t.root, it, cmp) {
		return false
	}
	t.len--
	t.collapseRoot()
	return true
}

// DeleteAt removes and returns the item of rank i. It panics unless
// 0 <= i < Len().
func (t *Tree) DeleteAt(i int) Item {
	t.checkRank("DeleteAt", i)
	if t.root == nil {
		it := t.leaf[i]
		t.removeFromRootLeaf(i)
		return it
	}
	it := t.deleteAt(t.root, i)
	t.len--
	t.collapseRoot()
	return it
}

func (t *Tree) delete(n *inner, it Item, cmp Compare) bool {
	i := n.route(it, cmp)
	if n.height == 1 {
		j, found := search(n.leaves[i], it, cmp)
		if found {
			t.removeFromLeaf(n, i, j)
		}
		return found
	}
	if !t.delete(n.kids[i], it, cmp) {
		return false
	}
	t.kidLostItem(n, i)
	return true
}

func (t *Tree) deleteAt(n *inner, r int) Item {
	i, r, _ := n.locate(r)
	if n.height == 1 {
		it := n.leaves[i][r]
		t.removeFromLeaf(n, i, r)
		return it
	}
	it := t.deleteAt(n.kids[i], r)
	t.kidLostItem(n, i)
	return it
}

// kidLostItem updates n after an item went from under its inner child i,
// rebalancing the child if it fell under minKids children.
func (t *Tree) kidLostItem(n *inner, i int) {
	n.counts[i]--
	n.mins[i] = n.kids[i].mins[0]
	if n.kids[i].n < minKids {
		t.rebalanceKid(n, i)
	}
}

// removeFromLeaf removes item j of n's leaf i, rebalancing the leaf if it
// fell under minLeaf items.
func (t *Tree) removeFromLeaf(n *inner, i, j int) {
	leaf := removeAt(n.leaves[i], j)
	n.leaves[i] = leaf
	n.counts[i]--
	if len(leaf) < minLeaf && n.n > 1 {
		t.rebalanceKid(n, i)
		return
	}
	if j == 0 {
		n.mins[i] = leaf[0]
	}
}

// rebalanceKid merges n's underfull child i with a sibling when the two fit
// in one node, and otherwise evens them out. n must have two children.
func (t *Tree) rebalanceKid(n *inner, i int) {
	// Pair i with its smaller sibling, the likelier to merge.
	a := i // the pair is a, a+1
	if i == n.n-1 || (i > 0 && n.size(i-1) <= n.size(i+1)) {
		a = i - 1
	}
	if n.height == 1 {
		left, right := n.leaves[a], n.leaves[a+1]
		if len(left)+len(right) <= leafCap {
			n.leaves[a] = append(left, right...)
			t.dropLeaf(right)
			n.closeGap(a+1, 1)
			n.refresh(a)
			return
		}
		n.leaves[a], n.leaves[a+1] = shiftItems(left, right, (len(left)+len(right))/2)
	} else {
		left, right := n.kids[a], n.kids[a+1]
		if left.n+right.n <= fanout {
			appendKids(left, right, 0, right.n)
			t.dropInner(right)
			n.closeGap(a+1, 1)
			n.refresh(a)
			return
		}
		shiftKids(left, right, (left.n+right.n)/2)
	}
	n.refresh(a)
	n.refresh(a + 1)
}

// collapseRoot removes roots with a single child after a deletion, down to
// the single leaf of a small tree.
func (t *Tree) collapseRoot() {
	for t.root != nil && t.root.n == 1 {
		old := t.root
		if old.height == 1 {
			t.leaf = old.leaves[0]
			t.root = nil
		} else {
			t.root = old.kids[0]
		}
		t.dropInner(old)
	}
}

// removeFromRootLeaf removes item j of a small tree's single leaf, halving
// the leaf when it is a quarter full and dropping it when empty.
func (t *Tree) removeFromRootLeaf(j int) {
	t.leaf = removeAt(t.leaf, j)
	t.len--
	switch {
	case len(t.leaf) == 0:
		t.dropLeaf(t.leaf)
		t.leaf = nil
	case len(t.leaf) <= cap(t.leaf)/4 && cap(t.leaf) > rootLeafMinCap:
		t.resizeRootLeaf(cap(t.leaf) / 2)
	}
}
