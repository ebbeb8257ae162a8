package ranktree

import (
	"fmt"
	"math"
	"math/bits"
)

// checkTree verifies the tree's structural invariants: node fill, counts,
// mins (exact copies of first items, Ref included), zeroed spare slots,
// equal leaf depth and the memory accounting. Order is the model test's job.
func checkTree(t *Tree) error {
	if t.root == nil {
		if t.inners != 0 {
			return fmt.Errorf("no root but %d inner nodes accounted", t.inners)
		}
		if len(t.leaf) != t.len {
			return fmt.Errorf("single leaf holds %d items, Len %d", len(t.leaf), t.len)
		}
		if t.leafSlots != cap(t.leaf) {
			return fmt.Errorf("single leaf has capacity %d, %d slots accounted", cap(t.leaf), t.leafSlots)
		}
		if t.len == 0 {
			if t.leaf != nil {
				return fmt.Errorf("empty tree keeps a leaf of capacity %d", cap(t.leaf))
			}
			return nil
		}
		c := cap(t.leaf)
		if c < rootLeafMinCap || c > leafCap || bits.OnesCount(uint(c)) != 1 {
			return fmt.Errorf("single leaf capacity %d is not a power of two in [%d, %d]", c, rootLeafMinCap, leafCap)
		}
		if len(t.leaf) <= c/4 && c > rootLeafMinCap {
			return fmt.Errorf("single leaf holds %d items in capacity %d: should have shrunk", len(t.leaf), c)
		}
		return nil
	}
	if t.leaf != nil {
		return fmt.Errorf("tree has a root and a single leaf")
	}
	if t.root.n < 2 {
		return fmt.Errorf("root has %d children", t.root.n)
	}
	var w treeWalk
	count, _, err := w.walk(t.root, true)
	if err != nil {
		return err
	}
	if count != t.len {
		return fmt.Errorf("nodes hold %d items, Len %d", count, t.len)
	}
	if w.leafSlots != t.leafSlots || w.inners != t.inners {
		return fmt.Errorf("found %d leaf slots and %d inner nodes, accounted %d and %d",
			w.leafSlots, w.inners, t.leafSlots, t.inners)
	}
	return nil
}

type treeWalk struct {
	leafSlots, inners int
}

// walk checks the subtree under n and returns its item count and first item.
func (w *treeWalk) walk(n *inner, isRoot bool) (int, Item, error) {
	w.inners++
	if n.height < 1 {
		return 0, Item{}, fmt.Errorf("inner node of height %d", n.height)
	}
	if n.n > fanout || (!isRoot && n.n < minKids) {
		return 0, Item{}, fmt.Errorf("inner node of height %d has %d children", n.height, n.n)
	}
	total := 0
	for i := 0; i < n.n; i++ {
		var count int
		var first Item
		if n.height == 1 {
			leaf := n.leaves[i]
			if n.kids[i] != nil {
				return 0, Item{}, fmt.Errorf("height-1 node has an inner child at %d", i)
			}
			if cap(leaf) != leafCap || len(leaf) < minLeaf {
				return 0, Item{}, fmt.Errorf("leaf %d holds %d items in capacity %d", i, len(leaf), cap(leaf))
			}
			w.leafSlots += cap(leaf)
			count, first = len(leaf), leaf[0]
		} else {
			kid := n.kids[i]
			if kid == nil || n.leaves[i] != nil {
				return 0, Item{}, fmt.Errorf("height-%d node: child %d is not an inner node", n.height, i)
			}
			if kid.height != n.height-1 {
				return 0, Item{}, fmt.Errorf("height-%d node has a child of height %d", n.height, kid.height)
			}
			var err error
			if count, first, err = w.walk(kid, false); err != nil {
				return 0, Item{}, err
			}
		}
		if n.counts[i] != count {
			return 0, Item{}, fmt.Errorf("height-%d node counts %d under child %d, found %d", n.height, n.counts[i], i, count)
		}
		if !sameItem(n.mins[i], first) {
			return 0, Item{}, fmt.Errorf("height-%d node has min %v for child %d, whose first item is %v", n.height, n.mins[i], i, first)
		}
		total += count
	}
	for i := n.n; i < fanout; i++ {
		if n.counts[i] != 0 || n.mins[i] != (Item{}) || n.kids[i] != nil || n.leaves[i] != nil {
			return 0, Item{}, fmt.Errorf("height-%d node with %d children has spare slot %d in use", n.height, n.n, i)
		}
	}
	return total, n.mins[0], nil
}

// sameItem is bitwise equality: == would take -0.0 for 0.0.
func sameItem(a, b Item) bool {
	return math.Float64bits(a.Score) == math.Float64bits(b.Score) && a.Ref == b.Ref
}
