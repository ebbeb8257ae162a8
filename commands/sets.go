package commands

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/glob"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterSets adds the set commands: membership (SADD, SREM, SISMEMBER,
// SMISMEMBER, SCARD, SMEMBERS), sampling (SRANDMEMBER, SPOP), the
// multi-key algebra (SINTER, SUNION, SDIFF, their STORE forms, SINTERCARD,
// SMOVE) and SSCAN. Rows carry Redis 7.0's arity, flags, key specs, ACL
// categories and COMMAND DOCS text.
func RegisterSets(t *Table) {
	for _, c := range []*Command{
		{
			Name: "sadd", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Add one or more members to a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History:    [][2]string{{"2.4.0", "Accepts multiple `member` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "member", Type: "string", Multiple: true},
			},
			Handler: cmdSadd,
		},
		{
			Name: "srem", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			KeyFlags:   []string{"RW", "delete"},
			Summary:    "Remove one or more members from a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the number of members to be removed.",
			History:    [][2]string{{"2.4.0", "Accepts multiple `member` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "member", Type: "string", Multiple: true},
			},
			Handler: cmdSrem,
		},
		{
			Name: "scard", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			KeyFlags:   []string{"RO"},
			Summary:    "Get the number of members in a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdScard,
		},
		{
			Name: "sismember", Arity: 3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			KeyFlags:   []string{"RO"},
			Summary:    "Determine if a given value is a member of a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "member", Type: "string"},
			},
			Handler: cmdSismember,
		},
		{
			Name: "smismember", Arity: -3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			Summary:    "Returns the membership associated with the given elements for a set",
			Since:      "6.2.0",
			Group:      "set",
			Complexity: "O(N) where N is the number of elements being checked for membership",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "member", Type: "string", Multiple: true},
			},
			Handler: cmdSmismember,
		},
		{
			Name: "smembers", Arity: 2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Get all the members in a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the set cardinality.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdSmembers,
		},
		{
			Name: "srandmember", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Get one or multiple random members from a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
			History:    [][2]string{{"2.6.0", "Added the optional `count` argument."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "count", Type: "integer", Since: "2.6.0", Optional: true},
			},
			Handler: cmdSrandmember,
		},
		{
			Name: "spop", Arity: -2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and return one or multiple random members from a set",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
			History:    [][2]string{{"3.2.0", "Added the `count` argument."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "count", Type: "integer", Since: "3.2.0", Optional: true},
			},
			Handler: cmdSpop,
		},
		{
			Name: "sinter", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Intersect multiple sets",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdSinter,
		},
		{
			Name: "sunion", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Add multiple sets",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdSunion,
		},
		{
			Name: "sdiff", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Subtract multiple sets",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdSdiff,
		},
		{
			Name: "sinterstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RW", "update"}, Index: 1, LastKey: 0, KeyStep: 1},
				{Flags: []string{"RO", "access"}, Index: 2, LastKey: -1, KeyStep: 1},
			},
			Summary:    "Intersect multiple sets and store the resulting set in a key",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []ArgDoc{
				{Name: "destination", Type: "key"},
				{Name: "key", Type: "key", KeySpecIndex: 1, Multiple: true},
			},
			Handler: cmdSinterstore,
		},
		{
			Name: "sunionstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			KeySpecs: []KeySpec{
				{Flags: []string{"OW", "update"}, Index: 1, LastKey: 0, KeyStep: 1},
				{Flags: []string{"RO", "access"}, Index: 2, LastKey: -1, KeyStep: 1},
			},
			Summary:    "Add multiple sets and store the resulting set in a key",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []ArgDoc{
				{Name: "destination", Type: "key"},
				{Name: "key", Type: "key", KeySpecIndex: 1, Multiple: true},
			},
			Handler: cmdSunionstore,
		},
		{
			Name: "sdiffstore", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"set"},
			KeySpecs: []KeySpec{
				{Flags: []string{"OW", "update"}, Index: 1, LastKey: 0, KeyStep: 1},
				{Flags: []string{"RO", "access"}, Index: 2, LastKey: -1, KeyStep: 1},
			},
			Summary:    "Subtract multiple sets and store the resulting set in a key",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(N) where N is the total number of elements in all given sets.",
			Args: []ArgDoc{
				{Name: "destination", Type: "key"},
				{Name: "key", Type: "key", KeySpecIndex: 1, Multiple: true},
			},
			Handler: cmdSdiffstore,
		},
		{
			Name: "sintercard", Arity: -3, Flags: FlagReadOnly,
			FirstKey: 0, LastKey: 0, Step: 0,
			Categories: []string{"set"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RO", "access"}, Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1},
			},
			Summary:    "Intersect multiple sets and return the cardinality of the result",
			Since:      "7.0.0",
			Group:      "set",
			Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
			Args: []ArgDoc{
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", Multiple: true},
				{Name: "limit", Type: "integer", Token: "LIMIT", Optional: true},
			},
			GetKeys: sintercardKeys,
			Handler: cmdSintercard,
		},
		{
			Name: "smove", Arity: 4, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"set"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RW", "access", "delete"}, Index: 1, LastKey: 0, KeyStep: 1},
				{Flags: []string{"RW", "insert"}, Index: 2, LastKey: 0, KeyStep: 1},
			},
			Summary:    "Move a member from one set to another",
			Since:      "1.0.0",
			Group:      "set",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
				{Name: "member", Type: "string"},
			},
			Handler: cmdSmove,
		},
		{
			Name: "sscan", Arity: -3, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"set"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Incrementally iterate Set elements",
			Since:      "2.8.0",
			Group:      "set",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "cursor", Type: "integer"},
				{Name: "pattern", Type: "pattern", Token: "MATCH", Optional: true},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
			},
			Handler: cmdSscan,
		},
	} {
		t.Add(c)
	}
}

// ---- helpers shared by the hash and set commands ----

// errorReply is an error reply decided inside an engine callback; the
// callback returns it so that nothing else is written.
type errorReply string

func (e errorReply) Error() string { return string(e) }

// writeErrorReply writes err, an errorReply or an engine sentinel error.
func writeErrorReply(w Writer, err error) {
	var reply errorReply
	if errors.As(err, &reply) {
		w.WriteError(string(reply))
		return
	}
	w.WriteError(EngineError(err))
}

// writeFlag writes Redis's integer booleans, :1 and :0 (also under RESP3).
func writeFlag(w Writer, b bool) {
	if b {
		w.WriteInt(1)
	} else {
		w.WriteInt(0)
	}
}

// readColl runs a read command's fn on the collection of type typ at key
// under its shard lock: it counts the keyspace hit or miss and replies
// WRONGTYPE for a key holding another type; otherwise fn writes the reply.
// A missing key reaches fn as an empty collection (Exists false).
func readColl(c *Ctx, key []byte, typ engine.Type, fn func(col *engine.Coll)) {
	found := false
	err := c.Srv.Engine.Collection(c.DB(), key, typ, func(col *engine.Coll) error {
		found = col.Exists() || col.WrongType()
		if col.WrongType() {
			return engine.ErrWrongType
		}
		fn(col)
		return nil
	})
	noteLookup(c, found)
	if err != nil {
		writeErrorReply(c.W, err)
	}
}

// writeColl is readColl for write commands (which Redis does not count as
// keyspace hits or misses). fn writes the reply unless it returns an
// error, which becomes the reply instead.
func writeColl(c *Ctx, key []byte, typ engine.Type, fn func(col *engine.Coll) error) {
	err := c.Srv.Engine.Collection(c.DB(), key, typ, func(col *engine.Coll) error {
		if col.WrongType() {
			return engine.ErrWrongType
		}
		return fn(col)
	})
	if err != nil {
		writeErrorReply(c.W, err)
	}
}

// parseRandomCount reads the count of SRANDMEMBER and HRANDFIELD: any
// long but LONG_MIN, whose negation would overflow.
func parseRandomCount(b []byte) (int64, string) {
	n, ok := redisnum.ParseInt(b)
	if !ok {
		return 0, ErrNotInteger
	}
	if n == math.MinInt64 {
		return 0, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	}
	return n, ""
}

// maxSampleReplyBytes bounds the reply of SRANDMEMBER and HRANDFIELD with
// a negative count (repeats allowed). Redis builds such a reply whatever
// its size, until it runs out of memory; nebredis refuses one that would
// exceed this many bytes with "value is out of range".
const maxSampleReplyBytes = 1 << 30

// writeRandom writes count random elements of col as SRANDMEMBER and
// HRANDFIELD do: a negative count allows repeats and always gives -count
// elements; a positive one gives distinct elements, the whole collection
// when it asks for as many. perElem is the number of reply entries emit
// writes per element (2 for RESP2 WITHVALUES).
func writeRandom(c *Ctx, col *engine.Coll, count int64, perElem int, emit func(member, value []byte)) {
	size := col.Len()
	if count == 0 || size == 0 {
		c.W.WriteArray(0)
		return
	}
	if count < 0 || count == 1 {
		n := count
		if n < 0 {
			n = -n
		}
		per := int64(perElem) * (int64(col.Info().MaxElemLen) + 16)
		if n > 1 && n > maxSampleReplyBytes/per {
			c.W.WriteError("ERR value is out of range")
			return
		}
		c.W.WriteArray(int(n) * perElem)
		for ; n > 0; n-- {
			emit(col.Random(rand.Uint64()))
		}
		return
	}
	if count >= int64(size) {
		c.W.WriteArray(size * perElem)
		col.Each(func(m, v []byte) bool {
			emit(m, v)
			return true
		})
		return
	}
	c.W.WriteArray(int(count) * perElem)
	sampleDistinct(col, int(count), emit)
}

// sampleDistinct calls fn for count distinct random elements of col
// (0 < count < col.Len()), in random order. Like Redis, it shuffles a copy
// of the whole collection when count is a large share of it, and draws
// random elements until it has count distinct ones otherwise. fn must not
// write to col.
func sampleDistinct(col *engine.Coll, count int, fn func(member, value []byte)) {
	if count*3 > col.Len() {
		type elem struct{ m, v []byte }
		all := make([]elem, 0, col.Len())
		col.Each(func(m, v []byte) bool {
			all = append(all, elem{m, v})
			return true
		})
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
			fn(all[i].m, all[i].v)
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		m, v := col.Random(rand.Uint64())
		if _, dup := seen[string(m)]; dup {
			continue
		}
		seen[string(m)] = struct{}{}
		fn(m, v)
	}
}

// scanGeneric is HSCAN and SSCAN: key cursor [MATCH pattern] [COUNT count].
// As in Redis, the cursor is checked first, then the key (a missing key is
// an empty, finished scan whatever the options), then the options; a
// collection Redis would hold in a compact encoding (listpack, intset) is
// returned whole with cursor 0, a larger one page by page from Coll.Scan,
// MATCH filtering each page (on the field, for a hash).
func scanGeneric(c *Ctx, typ engine.Type) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.W.WriteError("ERR invalid cursor")
		return
	}
	cfg := c.Srv.Config()
	readColl(c, c.Args[1], typ, func(col *engine.Coll) {
		if !col.Exists() {
			writeScanReply(c.W, 0, nil)
			return
		}
		count := int64(10)
		var pattern []byte
		for i := 3; i < len(c.Args); i += 2 {
			hasValue := i+1 < len(c.Args)
			switch {
			case keywordIs(c.Args[i], "count") && hasValue:
				n, ok := redisnum.ParseInt(c.Args[i+1])
				if !ok {
					c.W.WriteError(ErrNotInteger)
					return
				}
				if n < 1 {
					c.W.WriteError(ErrSyntax)
					return
				}
				count = n
			case keywordIs(c.Args[i], "match") && hasValue:
				pattern = c.Args[i+1]
				if len(pattern) == 1 && pattern[0] == '*' {
					pattern = nil // matches everything
				}
			default:
				c.W.WriteError(ErrSyntax)
				return
			}
		}
		var found [][]byte // aliases engine memory, valid in this callback
		visit := func(m, v []byte) {
			if pattern != nil && !glob.Match(pattern, m) {
				return
			}
			found = append(found, m)
			if typ == engine.TypeHash {
				found = append(found, v)
			}
		}
		var next uint64
		switch collectionEncoding(&cfg, typ, col) {
		case "listpack":
			col.Each(func(m, v []byte) bool {
				visit(m, v)
				return true
			})
		case "intset":
			col.Each(func(m, v []byte) bool {
				visit(m, v)
				return true
			})
			sortIntegers(found)
		default:
			next = col.Scan(cursor, int(min(count, 1<<30)), visit)
		}
		writeScanReply(c.W, next, found)
	})
}

func writeScanReply(w Writer, cursor uint64, elems [][]byte) {
	w.WriteArray(2)
	var buf [20]byte
	w.WriteBulk(strconv.AppendUint(buf[:0], cursor, 10))
	w.WriteArray(len(elems))
	for _, e := range elems {
		w.WriteBulk(e)
	}
}

// ---- sets ----

// noteMember keeps OBJECT ENCODING right: a set that has held a member
// that is not an integer has left Redis's intset encoding for good.
func noteMember(s *engine.Coll, member []byte) {
	if _, ok := redisnum.ParseInt(member); !ok {
		s.SetFlags(collFlagNonInteger)
	}
}

func cmdSadd(c *Ctx) {
	writeColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) error {
		added := 0
		for _, m := range c.Args[2:] {
			ok, err := s.Set(m, nil)
			if err != nil {
				return err
			}
			noteMember(s, m)
			if ok {
				added++
			}
		}
		c.W.WriteInt(int64(added))
		return nil
	})
}

func cmdSrem(c *Ctx) {
	writeColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) error {
		removed := 0
		for _, m := range c.Args[2:] {
			if s.Delete(m) {
				removed++
			}
		}
		c.W.WriteInt(int64(removed))
		return nil
	})
}

func cmdScard(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) { c.W.WriteInt(int64(s.Len())) })
}

func cmdSismember(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) { writeFlag(c.W, s.Has(c.Args[2])) })
}

func cmdSmismember(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) {
		c.W.WriteArray(len(c.Args) - 2)
		for _, m := range c.Args[2:] {
			writeFlag(c.W, s.Has(m))
		}
	})
}

// cmdSmembers replies in the set's order: ascending for a set Redis holds
// as an intset.
func cmdSmembers(c *Ctx) {
	cfg := c.Srv.Config()
	readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) {
		if !isIntset(&cfg, s) {
			c.W.WriteSet(s.Len())
			s.Each(func(m, _ []byte) bool {
				c.W.WriteBulk(m)
				return true
			})
			return
		}
		members := setMembers(s)
		sortIntegers(members)
		writeMembers(c.W.WriteSet, c.W, members)
	})
}

// isIntset reports whether Redis would be holding s as an intset. Redis
// replies with a set's members in its encoding's order: an intset (only
// integers, at most set-max-intset-entries of them) iterates in ascending
// order, which clients see and nebredis reproduces; a hashtable's order is
// unspecified.
func isIntset(cfg *config.Config, s *engine.Coll) bool {
	return collectionEncoding(cfg, engine.TypeSet, s) == "intset"
}

// fitsIntset reports whether a set Redis builds from members (the result
// of SUNION, SDIFF, and of SRANDMEMBER and SPOP taking the whole set)
// would be an intset.
func fitsIntset(cfg *config.Config, members [][]byte) bool {
	if len(members) > cfg.SetMaxIntsetEntries {
		return false
	}
	for _, m := range members {
		if _, ok := redisnum.ParseInt(m); !ok {
			return false
		}
	}
	return true
}

// sortIntegers sorts members, which are all integers, in ascending order.
func sortIntegers(members [][]byte) {
	slices.SortFunc(members, func(a, b []byte) int {
		x, _ := redisnum.ParseInt(a)
		y, _ := redisnum.ParseInt(b)
		return cmp.Compare(x, y)
	})
}

// setMembers lists the members of s; they alias engine memory.
func setMembers(s *engine.Coll) [][]byte {
	members := make([][]byte, 0, s.Len())
	s.Each(func(m, _ []byte) bool {
		members = append(members, m)
		return true
	})
	return members
}

// writeMembers writes members as an aggregate whose header header writes
// (WriteSet or WriteArray).
func writeMembers(header func(int), w Writer, members [][]byte) {
	header(len(members))
	for _, m := range members {
		w.WriteBulk(m)
	}
}

// cmdSrandmember is SRANDMEMBER key [count]; the count is checked before
// the key.
func cmdSrandmember(c *Ctx) {
	switch {
	case len(c.Args) > 3:
		c.W.WriteError(ErrSyntax)
	case len(c.Args) == 2:
		readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) {
			if s.Len() == 0 {
				c.W.WriteNull()
				return
			}
			m, _ := s.Random(rand.Uint64())
			c.W.WriteBulk(m)
		})
	default:
		count, msg := parseRandomCount(c.Args[2])
		if msg != "" {
			c.W.WriteError(msg)
			return
		}
		cfg := c.Srv.Config()
		readColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) {
			if count >= int64(s.Len()) && s.Len() > 0 {
				// The whole set, built anew as Redis does (SUNION of one key).
				members := setMembers(s)
				if fitsIntset(&cfg, members) {
					sortIntegers(members)
				}
				writeMembers(c.W.WriteArray, c.W, members)
				return
			}
			writeRandom(c, s, count, 1, func(m, _ []byte) { c.W.WriteBulk(m) })
		})
	}
}

// cmdSpop is SPOP key [count]. With a count the reply is a set (RESP3 ~),
// empty for a missing key; without one, a bulk string or null.
func cmdSpop(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.WriteError(ErrSyntax)
		return
	}
	if len(c.Args) == 2 {
		writeColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) error {
			if s.Len() == 0 {
				c.W.WriteNull()
				return nil
			}
			m, _ := s.Random(rand.Uint64())
			c.W.WriteBulk(m)
			s.Delete(append([]byte(nil), m...))
			return nil
		})
		return
	}
	count, ok := redisnum.ParseInt(c.Args[2])
	if !ok || count < 0 {
		c.W.WriteError("ERR value is out of range, must be positive")
		return
	}
	cfg := c.Srv.Config()
	writeColl(c, c.Args[1], engine.TypeSet, func(s *engine.Coll) error {
		size := s.Len()
		if count == 0 || size == 0 {
			c.W.WriteSet(0)
			return nil
		}
		if count >= int64(size) {
			// The whole set, as SRANDMEMBER gives it; then the key goes.
			members := setMembers(s)
			if fitsIntset(&cfg, members) {
				sortIntegers(members)
			}
			writeMembers(c.W.WriteSet, c.W, members)
			s.Reset()
			return nil
		}
		// Copy the chosen members out before deleting them.
		var buf []byte
		var ends []int
		sampleDistinct(s, int(count), func(m, _ []byte) {
			buf = append(buf, m...)
			ends = append(ends, len(buf))
		})
		c.W.WriteSet(len(ends))
		start := 0
		for _, end := range ends {
			m := buf[start:end]
			c.W.WriteBulk(m)
			s.Delete(m)
			start = end
		}
		return nil
	})
}

func cmdSscan(c *Ctx) { scanGeneric(c, engine.TypeSet) }

// setOp is what a multi-key set command computes.
type setOp int

const (
	setInter setOp = iota
	setUnion
	setDiff
)

// withSets runs fn on the sets at keys (and, for a STORE form, the
// destination dst, passed separately; nil otherwise) under all their shard
// locks, so the command is atomic. Sources are checked in order, each
// counted as a keyspace hit or miss, until one of another type makes the
// reply WRONGTYPE before fn runs. Missing sources are empty sets.
func withSets(c *Ctx, keys [][]byte, store bool, dst []byte, fn func(dst *engine.Coll, srcs []*engine.Coll) error) {
	refs := make([]engine.CollRef, 0, len(keys)+1)
	for _, k := range keys {
		refs = append(refs, engine.CollRef{DB: c.DB(), Key: k, Type: engine.TypeSet})
	}
	if store {
		refs = append(refs, engine.CollRef{DB: c.DB(), Key: dst, Type: engine.TypeSet})
	}
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		srcs := cs[:len(keys)]
		for _, s := range srcs {
			noteLookup(c, s.Exists() || s.WrongType())
			if s.WrongType() {
				return engine.ErrWrongType
			}
		}
		var d *engine.Coll
		if store {
			d = cs[len(keys)]
		}
		return fn(d, srcs)
	})
	if err != nil {
		writeErrorReply(c.W, err)
	}
}

func cmdSinter(c *Ctx)      { setAlgebra(c, setInter, false) }
func cmdSunion(c *Ctx)      { setAlgebra(c, setUnion, false) }
func cmdSdiff(c *Ctx)       { setAlgebra(c, setDiff, false) }
func cmdSinterstore(c *Ctx) { setAlgebra(c, setInter, true) }
func cmdSunionstore(c *Ctx) { setAlgebra(c, setUnion, true) }
func cmdSdiffstore(c *Ctx)  { setAlgebra(c, setDiff, true) }

// sintercardKeys finds SINTERCARD's keys for COMMAND GETKEYS: none when
// numkeys is invalid.
func sintercardKeys(args [][]byte) []int {
	n, ok := sintercardNumKeys(args)
	if !ok {
		return nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = 2 + i
	}
	return idx
}

// sintercardNumKeys reads SINTERCARD's numkeys: at least 1 and no more
// than the arguments that follow it.
func sintercardNumKeys(args [][]byte) (int, bool) {
	if len(args) < 2 {
		return 0, false
	}
	n, ok := redisnum.ParseInt(args[1])
	if !ok || n < 1 || n > int64(len(args)-2) {
		return 0, false
	}
	return int(n), true
}

// setAlgebra is SINTER, SUNION, SDIFF and their STORE forms (store), which
// replace whatever the destination held (deleting it when the result is
// empty) and reply with the result's size.
func setAlgebra(c *Ctx, op setOp, store bool) {
	keys, dst := c.Args[1:], []byte(nil)
	if store {
		keys, dst = c.Args[2:], c.Args[1]
	}
	cfg := c.Srv.Config()
	withSets(c, keys, store, dst, func(d *engine.Coll, srcs []*engine.Coll) error {
		result, walked := setResult(op, srcs, 0) // aliases engine memory
		if d == nil {
			// An intersection comes in the order of the set it walks; a
			// union or difference in the order of the set Redis builds.
			if (walked != nil && isIntset(&cfg, walked)) || (op != setInter && fitsIntset(&cfg, result)) {
				sortIntegers(result)
			}
			writeMembers(c.W.WriteSet, c.W, result)
			return nil
		}
		// dst may be one of the sources: copy the result before Reset
		// deletes its elements.
		result = copyMembers(result)
		d.Reset()
		for _, m := range result {
			if _, err := d.Set(m, nil); err != nil {
				return err
			}
			noteMember(d, m)
		}
		c.W.WriteInt(int64(len(result)))
		return nil
	})
}

// cmdSintercard is SINTERCARD numkeys key [key ...] [LIMIT limit].
func cmdSintercard(c *Ctx) {
	numKeys, ok := sintercardNumKeys(c.Args)
	if !ok {
		if n, isInt := redisnum.ParseInt(c.Args[1]); isInt && n > int64(len(c.Args)-2) {
			c.W.WriteError("ERR Number of keys can't be greater than number of args")
		} else {
			c.W.WriteError("ERR numkeys should be greater than 0")
		}
		return
	}
	limit := int64(0) // no limit
	for i := 2 + numKeys; i < len(c.Args); i++ {
		if !keywordIs(c.Args[i], "limit") || i+1 == len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		i++
		n, ok := redisnum.ParseInt(c.Args[i])
		if !ok || n < 0 {
			c.W.WriteError("ERR LIMIT can't be negative")
			return
		}
		limit = n
	}
	withSets(c, c.Args[2:2+numKeys], false, nil, func(_ *engine.Coll, srcs []*engine.Coll) error {
		result, _ := setResult(setInter, srcs, limit)
		c.W.WriteInt(int64(len(result)))
		return nil
	})
}

// setResult computes op over srcs (missing sets are empty). The members
// alias engine memory: they are valid until the callback writes. A limit
// above 0 stops an intersection after that many members (SINTERCARD). An
// intersection also returns the set it walked, in whose order its members
// are.
func setResult(op setOp, srcs []*engine.Coll, limit int64) (out [][]byte, walked *engine.Coll) {
	switch op {
	case setInter:
		// Walk the smallest set and probe the others, as Redis does.
		sorted := slices.Clone(srcs)
		slices.SortStableFunc(sorted, func(a, b *engine.Coll) int { return a.Len() - b.Len() })
		if sorted[0].Len() == 0 {
			return nil, nil
		}
		walked = sorted[0]
		sorted[0].Each(func(m, _ []byte) bool {
			for _, s := range sorted[1:] {
				if s != sorted[0] && !s.Has(m) {
					return true
				}
			}
			out = append(out, m)
			return limit <= 0 || int64(len(out)) < limit
		})
	case setUnion:
		var seen map[string]struct{}
		distinct := 0
		for i, s := range srcs {
			if s.Len() > 0 && !slices.Contains(srcs[:i], s) {
				distinct++
			}
		}
		if distinct > 1 {
			seen = make(map[string]struct{})
		}
		for i, s := range srcs {
			if s.Len() == 0 || slices.Contains(srcs[:i], s) {
				continue
			}
			s.Each(func(m, _ []byte) bool {
				if seen != nil {
					if _, dup := seen[string(m)]; dup {
						return true
					}
					seen[string(m)] = struct{}{}
				}
				out = append(out, m)
				return true
			})
		}
	case setDiff:
		srcs[0].Each(func(m, _ []byte) bool {
			for _, s := range srcs[1:] {
				if s.Has(m) {
					return true
				}
			}
			out = append(out, m)
			return true
		})
	}
	return out, walked
}

// copyMembers copies members out of engine memory into one buffer.
func copyMembers(members [][]byte) [][]byte {
	n := 0
	for _, m := range members {
		n += len(m)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(members))
	for i, m := range members {
		buf = append(buf, m...)
		out[i] = buf[len(buf)-len(m):]
	}
	return out
}

// cmdSmove moves member from source to destination atomically. As in
// Redis, a missing source replies 0 before any type check, and a source
// that is also the destination only reports membership.
func cmdSmove(c *Ctx) {
	refs := []engine.CollRef{
		{DB: c.DB(), Key: c.Args[1], Type: engine.TypeSet},
		{DB: c.DB(), Key: c.Args[2], Type: engine.TypeSet},
	}
	member := c.Args[3]
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		src, dst := cs[0], cs[1]
		switch {
		case !src.Exists() && !src.WrongType():
			c.W.WriteInt(0)
		case src.WrongType() || dst.WrongType():
			return engine.ErrWrongType
		case src == dst:
			writeFlag(c.W, src.Has(member))
		case !src.Delete(member):
			c.W.WriteInt(0)
		default:
			if _, err := dst.Set(member, nil); err != nil {
				return err
			}
			noteMember(dst, member)
			c.W.WriteInt(1)
		}
		return nil
	})
	if err != nil {
		writeErrorReply(c.W, err)
	}
}
