// Package engine is nebredis's storage engine: a sharded, log-structured
// in-memory key-value store in the spirit of RAMCloud ("Log-structured Memory
// for DRAM-based Storage", FAST'14). It knows nothing of RESP or the cluster;
// commands/ turns its values and sentinel errors into Redis replies.
//
// # Memory is a log
//
// Every value lives in an append-only log of segments: fixed-size regions
// (Options.SegmentSize, 8 MiB by default) mapped with mmap outside the Go
// heap, so the garbage collector never scans or copies them. An overwrite
// appends a new entry; a delete appends a tombstone. Each segment keeps an
// exact count of its live bytes. Entries larger than a quarter segment get a
// dedicated mapping of their own, freed the moment the entry dies.
//
// One entry, little endian:
//
//	 0       4       8      9     10      12
//	+-------+-------+------+-----+-------+---------+---------+---------+--------+-----+-------+
//	| crc32c| clock | kind | db  | slot  | keylen  | vallen  | version | expire | key | value |
//	|  u32  |  u32  |  u8  | u8  |  u16  | uvarint | uvarint | uvarint | i64 ms |     |       |
//	+-------+-------+------+-----+-------+---------+---------+---------+--------+-----+-------+
//	                                                                    only if
//	                                                                    kind&0x10
//
// The fields:
//
//   - crc32c (Castagnoli) covers kind through value. The access clock (Unix
//     seconds of the last read or write, for LRU eviction and OBJECT
//     IDLETIME) is rewritten in place on reads and is outside the checksum.
//   - kind: low 4 bits are the Type tag, bit 0x10 says an expiry follows.
//   - version is engine-wide and monotonic: replaying a log, the higher
//     version of a key wins.
//   - slot is the key's Redis Cluster slot, computed once on write.
//   - A tombstone's value is the uvarint segment sequence number that was
//     next when it was written: every older entry of its key lives in a
//     segment with a lower sequence number. A flush marker (FLUSHDB) is the
//     same for a whole database.
//
// A 16-byte key with a 32-byte value takes 65 bytes of log.
//
// # Index
//
// Each shard indexes its keys with one small open-addressing table per
// (database, slot) pair. A cell is one uint64 word packing a 21-bit hash
// tag, a TTL bit, the segment id and the offset (see index.go): no per-entry
// Go pointers. Lookups compare the tag, then the key bytes in the log, so a
// hash collision costs a comparison, never a key. Tables grow and shrink
// one slot at a time — about sixty keys each at a million keys — so a resize
// never stalls a shard, and the cluster can count, enumerate and drop a
// slot by touching only its table.
//
// # Shards
//
// Slot s belongs to shard s mod Options.Shards (a power of two, 16 per
// GOMAXPROCS by default). A shard has one mutex guarding its tables, its
// segments and their counters; no lock is shared by requests on different
// shards. Logical databases (SELECT 0-15) map to physical ones through a
// table SWAPDB rewrites with every shard locked.
//
// # Cleaner
//
// A background cleaner visits shards in parallel (GOMAXPROCS at a time). In
// a shard whose utilization (live/appended) is under Options.CleanBelow with
// at least a segment of garbage, it picks closed segments by LFS cost-benefit,
// (1-u)·age/(1+u), copies their live entries byte for byte into a survivor
// segment and returns the whole segment to a pool (madvise'd away, so it
// costs no RSS while pooled). It holds the shard lock for 64 KiB of log at a
// time. With Options.Durable, a tombstone is kept while any other segment
// with a lower sequence number than the one it records exists — such a
// segment might still hold an older entry of its key — and when tombstones
// pass a tenth of a shard the oldest segment is cleaned so they can go.
//
// # Expiry and eviction
//
// Expired keys are deleted when touched (every read, SCAN, RANDOMKEY) and by
// an active cycle that walks the index looking only at words with the TTL
// bit. Before a command that may grow memory, EnsureMemory compares Used
// (appended log plus index) with maxmemory, reclaims garbage first and then
// evicts by policy, sampling keys as Redis does.
//
// # Collections
//
// Hashes, lists, sets and sorted sets are stored so that a per-element
// operation never rewrites the whole collection (collection.go). The key's
// own entry (type TypeHash, TypeList, TypeSet or TypeZSet) holds only the
// collection's 64-bit id, taken from the version counter so it is unique
// for the life of the log. Every element is its own TypeElement entry:
//
//	key   = id (8 bytes LE) + member        hash field, set member, zset member
//	      = id (8 bytes LE) + seq (8 bytes BE, sign bit flipped)   list element
//	value = field value | empty (set) | score as float64 LE (zset) | list element
//
// Elements carry their collection's database and slot, so a collection
// never spans shards. Each collection has an index of its own, kept in the
// shard's colls map under the id: for hashes, sets and sorted sets an
// open-addressing table of words like the key tables (per-element lookups
// are O(1)); for a list a ring of words indexed by sequence number, since
// its elements have the consecutive numbers [head, tail): LINDEX is one
// read, LRANGE reads words in order, pushes and pops at either end touch
// one cell, and an insert in the middle renumbers the shorter side. A sorted set also keeps its order in
// an order-statistic B+tree of (score, element word) items
// (internal/ranktree), so ranks, score and lex bounds are O(log n); the
// cleaner updates the tree's word when it moves an element.
//
// Deleting, overwriting or expiring a collection key kills its elements at
// once (their bytes become garbage for the cleaner) and forgets the id;
// elements get no tombstones, since recovery can drop any element whose id
// no key names. RENAME and MOVE hand the collection to the new key (copying
// its elements only when the new key lives in another shard); COPY copies
// them under a new id. The counts OBJECT ENCODING needs (peak length,
// longest element) are kept per collection; the element tables and trees
// are on the Go heap (pointer-free words and leaves) and are counted in
// Stats().Index.
//
// # SCAN
//
// A cursor names a point in (slot, hash tag) order, not a cell, so a key
// present for the whole scan is returned at least once across resizes,
// cleaning and rehashing (see scan.go).
//
// # Concurrency and ownership
//
// Every exported method is safe for concurrent use. Callbacks (View, Update,
// Multi) run under shard locks: they must not call back into the engine.
// Value.Data aliases the log and is valid only during the callback; Get and
// KeysInSlot copy into memory the caller owns.
package engine
