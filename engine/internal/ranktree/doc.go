// Package ranktree keeps the order of a sorted set: items of (score,
// reference) in the order a caller-supplied Compare defines, with the rank of
// every item, so ZRANK, ZRANGE by index, ZPOPMIN and ZREMRANGEBYRANK cost
// O(log n) instead of a walk.
//
// The engine stores each sorted-set member as an entry in its log; an Item
// holds the member's score and Ref, an opaque uint64 the engine packs the
// entry's log location into. The tree never interprets Ref and never reads
// Score: it copies items bit for bit (-0.0 stays -0.0) and learns their order
// only from Compare and from the predicate passed to Search.
//
// # Structure
//
// A B+tree whose inner nodes count the items under each child and copy the
// first of them:
//
//	          inner, height 2
//	counts [ 7010   | 6644   | ... ]  items under each child
//	mins   [ (0,ab) | (2,kx) | ... ]  first item under each child
//	kids   [ *      | *      | ... ]
//	         |        |
//	         |        inner, height 1: counts, mins, leaves
//	         inner, height 1
//	counts [ 111    | 128    | ... ]
//	mins   [ (0,ab) | (0,fo) | ... ]
//	leaves [ []Item | []Item | ... ]
//	         |
//	         leaf: (0,ab) (0,ac) (0,b) ... 111 items, capacity 128
//
// Leaves are plain []Item whose backing arrays hold no pointers, so the
// garbage collector never scans them; their lengths live in the slice
// headers of the parent. A leaf under an inner node has room for 128 items
// (2 KiB, an exact allocation size class) and holds at least 64; an inner
// node has room for 72 children (4 KiB, again an exact size class) and holds
// at least 36, the root at least 2. While the whole set fits in one leaf
// there is no inner node, and that single leaf grows by doubling from 2
// items, so a three-member set costs 64 bytes of nodes, not 2 KiB.
//
// A full leaf first shares its items with the emptier of its two siblings
// and splits only when both are full too. That keeps leaves about 88% full
// under random inserts and nearly all full under ascending or descending
// ones: at a million items, 18.8 and 16.9 bytes per 16-byte item, in one
// heap object per 110 items. A leaf that falls under half full borrows from
// or merges with a sibling, so memory shrinks as items go, and an emptied
// tree holds no nodes at all.
//
// Rank and At walk down adding counts: O(log n) nodes, O(fanout) additions
// per node. Insert, Delete, Rank and SetRef route by binary search over
// mins, then over the leaf: about log2(n) calls of Compare in all. Search
// does the same with its predicate.
//
// # Contract
//
// Compare must be a strict total order on the items in the tree, and the
// tree must be in that order: it is the caller's job to Delete an item and
// Insert it again when its score or member changes, never to change an item
// in place except for its Ref, through SetRef. Two items compare equal only
// when they are the same member; Insert panics if an equal item is already
// present, leaving the items as they were.
//
// Insert, Delete, Rank and SetRef call cmp(it, stored): the item the caller
// passed is always the first argument and an item in the tree the second.
// So a Compare may treat its first argument as a probe (say, a closure
// holding member bytes that are not in the log yet). Every second argument is
// an item currently in the tree, with its current Ref: the tree keeps no
// copies of removed items and updates its copies of an item (the mins of its
// ancestors) when SetRef moves it, so Compare never reads through a Ref the
// engine has deleted or relocated. Search calls its predicate only with items
// in the tree.
//
// # Concurrency
//
// A Tree is not safe for concurrent use; the engine holds the shard lock
// around every call. Len, Rank, At, Search, Ascend, Descend and MemoryBytes
// do not modify the tree, so they may run concurrently with each other while
// nothing writes. Callbacks (cmp, Search's predicate, Ascend's and Descend's
// fn) must not modify the tree they are called from.
//
// The zero Tree is empty and ready to use. Nothing is global; operations do
// not allocate except when a node is split or the single root leaf grows or
// shrinks.
package ranktree
