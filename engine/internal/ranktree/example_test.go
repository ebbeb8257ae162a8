package ranktree_test

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/nebredis/nebredis/engine/internal/ranktree"
)

// Example keeps a sorted set whose members live in a stand-in for the
// engine's log: a Ref is an index into members.
func Example() {
	members := []string{"carol", "alice", "bob", "dave"}
	scores := []float64{3, 1, 2, 1}

	// The engine's order: score, then member bytes read through Ref.
	byScoreMember := func(a, b ranktree.Item) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return strings.Compare(members[a.Ref], members[b.Ref])
	}

	var zset ranktree.Tree
	for ref, score := range scores {
		zset.Insert(ranktree.Item{Score: score, Ref: uint64(ref)}, byScoreMember)
	}

	// ZRANGE zset 0 -1 WITHSCORES
	zset.Ascend(0, func(rank int, it ranktree.Item) bool {
		fmt.Println(rank, members[it.Ref], it.Score)
		return true
	})

	// ZRANK zset bob, for a member the caller has as bytes, not as a Ref:
	// the tree always passes the caller's item first, so a Compare can
	// stand in the probe's member for it.
	probe := func(member string) ranktree.Compare {
		return func(a, b ranktree.Item) int {
			if c := cmp.Compare(a.Score, b.Score); c != 0 {
				return c
			}
			return strings.Compare(member, members[b.Ref])
		}
	}
	rank, found := zset.Rank(ranktree.Item{Score: 2}, probe("bob"))
	fmt.Println("rank of bob:", rank, found)

	// ZCOUNT zset 2 +inf
	below := zset.Search(func(it ranktree.Item) bool { return it.Score < 2 })
	fmt.Println("scores of at least 2:", zset.Len()-below)

	// Output:
	// 0 alice 1
	// 1 dave 1
	// 2 bob 2
	// 3 carol 3
	// rank of bob: 2 true
	// scores of at least 2: 2
}
