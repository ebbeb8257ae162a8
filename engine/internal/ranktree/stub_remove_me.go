// Temporary stand-in (a sorted slice) so that engine/ compiles until the real B-tree lands. Whoever writes the real package: delete this file.
package ranktree

import "sort"

type Item struct {
	Score float64
	Ref   uint64
}
type Compare func(a, b Item) int
type Tree struct{ items []Item }

func (t *Tree) Len() int { return len(t.items) }
func (t *Tree) find(it Item, cmp Compare) int {
	return sort.Search(len(t.items), func(i int) bool { return cmp(t.items[i], it) >= 0 })
}
func (t *Tree) Insert(it Item, cmp Compare) int {
	i := t.find(it, cmp)
	t.items = append(t.items, Item{})
	copy(t.items[i+1:], t.items[i:])
	t.items[i] = it
	return i
}
func (t *Tree) Delete(it Item, cmp Compare) bool {
	i := t.find(it, cmp)
	if i < len(t.items) && cmp(t.items[i], it) == 0 {
		t.items = append(t.items[:i], t.items[i+1:]...)
		return true
	}
	return false
}
func (t *Tree) Rank(it Item, cmp Compare) (int, bool) {
	i := t.find(it, cmp)
	return i, i < len(t.items) && cmp(t.items[i], it) == 0
}
func (t *Tree) At(i int) Item { return t.items[i] }
func (t *Tree) SetRef(it Item, ref uint64, cmp Compare) bool {
	i := t.find(it, cmp)
	if i < len(t.items) && cmp(t.items[i], it) == 0 {
		t.items[i].Ref = ref
		return true
	}
	return false
}
func (t *Tree) Search(before func(Item) bool) int {
	return sort.Search(len(t.items), func(i int) bool { return !before(t.items[i]) })
}
func (t *Tree) Ascend(from int, fn func(i int, it Item) bool) {
	for i := from; i < len(t.items); i++ {
		if !fn(i, t.items[i]) {
			return
		}
	}
}
func (t *Tree) Descend(from int, fn func(i int, it Item) bool) {
	for i := from; i >= 0; i-- {
		if !fn(i, t.items[i]) {
			return
		}
	}
}
func (t *Tree) DeleteAt(i int) Item {
	it := t.items[i]
	t.items = append(t.items[:i], t.items[i+1:]...)
	return it
}
func (t *Tree) Reset()           { t.items = nil }
func (t *Tree) MemoryBytes() int { return 16 * cap(t.items) }
