package engine

import (
	"errors"
	"time"
)

// Type is the tag every log entry carries. The values are part of the
// on-disk format: never renumber them.
type Type uint8

const (
	TypeNone   Type = 0 // not a stored tag; returned for missing keys
	TypeString Type = 1
	TypeList   Type = 2
	TypeSet    Type = 3
	TypeZSet   Type = 4
	TypeHash   Type = 5
	// TypeElement is one member of a collection, keyed by the collection's
	// id and the member (see doc.go). Elements are not keys: SCAN, KEYS,
	// DBSIZE and RANDOMKEY never see them.
	TypeElement Type = 6
	// typeFlush marks "every entry of this database with a lower version is
	// gone"; recovery honours it, the in-memory index never holds it.
	typeFlush Type = 14
	// typeTombstone records a delete; its value is the uvarint sequence
	// number of the segment it was first written to.
	typeTombstone Type = 15
)

func (t Type) valid() bool {
	return (t >= TypeString && t <= TypeElement) || t == typeFlush || t == typeTombstone
}

// String is the name TYPE reports.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeHash:
		return "hash"
	}
	return "none"
}

// isKey reports whether entries of this type are user-visible keys.
func (t Type) isKey() bool { return t >= TypeString && t <= TypeHash }

const (
	// NumSlots is the number of Redis Cluster hash slots.
	NumSlots = 16384
	// MaxValueLen is the largest value Redis accepts (proto-max-bulk-len's ceiling).
	MaxValueLen = 512 << 20
	maxKeyLen   = 512 << 20
	// MaxDatabases bounds Options.Databases (the db number is one byte in the log).
	MaxDatabases = 256
)

// Errors the engine returns; commands/ maps them to Redis replies.
var (
	ErrWrongType = errors.New("engine: operation against a key holding the wrong kind of value")
	ErrOOM       = errors.New("engine: used memory is above maxmemory and the policy cannot evict")
	ErrNoSuchKey = errors.New("engine: no such key")
	ErrBadDB     = errors.New("engine: database index out of range")
	ErrTooLarge  = errors.New("engine: value larger than the maximum entry size")
	ErrClosed    = errors.New("engine: closed")
)

// Policy is the maxmemory-policy.
type Policy uint8

const (
	NoEviction Policy = iota
	AllKeysLRU
	VolatileLRU
	AllKeysRandom
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "volatile-lru", "allkeys-random", "volatile-random", "volatile-ttl"}

func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "unknown"
}

// ParsePolicy maps a maxmemory-policy name to a Policy.
func ParsePolicy(s string) (Policy, bool) {
	for i, n := range policyNames {
		if n == s {
			return Policy(i), true
		}
	}
	return 0, false
}

// Clock supplies wall-clock time; tests inject a fake one to drive expiry.
type Clock interface {
	NowMs() int64
}

type systemClock struct{}

func (systemClock) NowMs() int64 { return time.Now().UnixMilli() }

// SystemClock is the real wall clock.
var SystemClock Clock = systemClock{}

// Options configure an Engine. The zero value of every field selects its default.
type Options struct {
	// Shards is the number of shards, a power of two between 1 and NumSlots.
	// Default: 16 per GOMAXPROCS, rounded up to a power of two.
	Shards int
	// SegmentSize is the size of one log segment in bytes, between 64 KiB and
	// 64 MiB. Default 8 MiB. Entries larger than a quarter of it get a
	// dedicated allocation.
	SegmentSize int
	// Databases is the number of logical databases. Default 16.
	Databases int
	// MaxMemory is the maxmemory limit in bytes; 0 means none.
	MaxMemory int64
	// Policy is the maxmemory-policy.
	Policy Policy
	// MaxMemorySamples is how many keys eviction samples. Default 5.
	MaxMemorySamples int
	// Clock defaults to the wall clock at Open plus monotonic time since,
	// the cheapest exact clock read (see monotonicClock).
	Clock Clock
	// Durable keeps tombstones until no older entry for their key can remain
	// in any segment, as a persisted log requires. Without it tombstones are
	// garbage as soon as they are written.
	Durable bool
	// CleanerInterval is how often the background cleaner looks for work.
	// Default 20ms. Negative disables the background cleaner (tests drive it).
	CleanerInterval time.Duration
	// ExpireInterval is how often the active expiry cycle runs. Default
	// 100ms (Redis's hz 10). Negative disables it.
	ExpireInterval time.Duration
	// CleanBelow is the segment utilization under which the cleaner works on
	// a shard. Default 0.9.
	CleanBelow float64
}
