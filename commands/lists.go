package commands

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterLists adds the list commands: the pushes (LPUSH, RPUSH and
// their X variants), the pops (LPOP, RPOP, LMPOP), the reads by index
// and range (LLEN, LINDEX, LRANGE, LPOS), the edits (LSET, LINSERT, LREM,
// LTRIM), the moves (LMOVE, RPOPLPUSH) and, from blocking.go, the
// blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP). Rows carry
// Redis 7.0's arity, flags, key specs, ACL categories and COMMAND DOCS
// text.
//
// Every command that adds elements to a list calls signalKeyReady after
// its engine call, so that clients blocked on the key are served, in the
// order they blocked, before the command's client runs its next command.
func RegisterLists(t *Table) {
	for _, c := range []*Command{
		{
			Name: "lpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Prepend one or multiple elements to a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History:    [][2]string{{"2.4.0", "Accepts multiple `element` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "element", Type: "string", Multiple: true},
			},
			Handler: cmdLpush,
		},
		{
			Name: "rpush", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Append one or multiple elements to a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History:    [][2]string{{"2.4.0", "Accepts multiple `element` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "element", Type: "string", Multiple: true},
			},
			Handler: cmdRpush,
		},
		{
			Name: "lpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Prepend an element to a list, only if the list exists",
			Since:      "2.2.0",
			Group:      "list",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History:    [][2]string{{"4.0.0", "Accepts multiple `element` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "element", Type: "string", Multiple: true},
			},
			Handler: cmdLpushx,
		},
		{
			Name: "rpushx", Arity: -3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Append an element to a list, only if the list exists",
			Since:      "2.2.0",
			Group:      "list",
			Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
			History:    [][2]string{{"4.0.0", "Accepts multiple `element` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "element", Type: "string", Multiple: true},
			},
			Handler: cmdRpushx,
		},
		{
			Name: "lpop", Arity: -2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and get the first elements in a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements returned",
			History:    [][2]string{{"6.2.0", "Added the `count` argument."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "count", Type: "integer", Since: "6.2.0", Optional: true},
			},
			Handler: cmdLpop,
		},
		{
			Name: "rpop", Arity: -2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and get the last elements in a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements returned",
			History:    [][2]string{{"6.2.0", "Added the `count` argument."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "count", Type: "integer", Since: "6.2.0", Optional: true},
			},
			Handler: cmdRpop,
		},
		{
			Name: "llen", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RO"},
			Summary:    "Get the length of a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdLlen,
		},
		{
			Name: "lrange", Arity: 4, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			Summary:    "Get a range of elements from a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "start", Type: "integer"},
				{Name: "stop", Type: "integer"},
			},
			Handler: cmdLrange,
		},
		{
			Name: "lindex", Arity: 3, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			Summary:    "Get an element from a list by its index",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "index", Type: "integer"},
			},
			Handler: cmdLindex,
		},
		{
			Name: "lset", Arity: 4, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			Summary:    "Set the value of an element in a list by its index",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "index", Type: "integer"},
				{Name: "element", Type: "string"},
			},
			Handler: cmdLset,
		},
		{
			Name: "linsert", Arity: 5, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Insert an element before or after another element in a list",
			Since:      "2.2.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "where", Type: "oneof", Args: []ArgDoc{{Name: "before", Type: "pure-token", Token: "BEFORE"}, {Name: "after", Type: "pure-token", Token: "AFTER"}}},
				{Name: "pivot", Type: "string"},
				{Name: "element", Type: "string"},
			},
			Handler: cmdLinsert,
		},
		{
			Name: "lrem", Arity: 4, Flags: FlagWrite,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "delete"},
			Summary:    "Remove elements from a list",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "count", Type: "integer"},
				{Name: "element", Type: "string"},
			},
			Handler: cmdLrem,
		},
		{
			Name: "ltrim", Arity: 4, Flags: FlagWrite,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "delete"},
			Summary:    "Trim a list to the specified range",
			Since:      "1.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements to be removed by the operation.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "start", Type: "integer"},
				{Name: "stop", Type: "integer"},
			},
			Handler: cmdLtrim,
		},
		{
			Name: "lpos", Arity: -3, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"list"},
			Summary:    "Return the index of matching elements on a list",
			Since:      "6.0.6",
			Group:      "list",
			Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "element", Type: "string"},
				{Name: "rank", Type: "integer", Token: "RANK", Optional: true},
				{Name: "num-matches", Type: "integer", Token: "COUNT", Optional: true},
				{Name: "len", Type: "integer", Token: "MAXLEN", Optional: true},
			},
			Handler: cmdLpos,
		},
		{
			Name: "lmove", Arity: 5, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"list"},
			KeySpecs:   []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 1, LastKey: 0, KeyStep: 1, Limit: 0}, {Flags: []string{"RW", "insert"}, Index: 2, LastKey: 0, KeyStep: 1, Limit: 0}},
			Summary:    "Pop an element from a list, push it to another list and return it",
			Since:      "6.2.0",
			Group:      "list",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
				{Name: "wherefrom", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
				{Name: "whereto", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
			},
			Handler: cmdLmove,
		},
		{
			Name: "rpoplpush", Arity: 3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories:      []string{"list"},
			KeySpecs:        []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 1, LastKey: 0, KeyStep: 1, Limit: 0}, {Flags: []string{"RW", "insert"}, Index: 2, LastKey: 0, KeyStep: 1, Limit: 0}},
			Summary:         "Remove the last element in a list, prepend it to another list and return it",
			Since:           "1.2.0",
			Group:           "list",
			Complexity:      "O(1)",
			DocFlags:        []string{"deprecated"},
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "`LMOVE` with the `RIGHT` and `LEFT` arguments",
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
			},
			Handler: cmdRpoplpush,
		},
		{
			Name: "lmpop", Arity: -4, Flags: FlagWrite,
			Categories: []string{"list"},
			KeySpecs:   []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Summary:    "Pop elements from a list",
			Since:      "7.0.0",
			Group:      "list",
			Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
			Args: []ArgDoc{
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", Multiple: true},
				{Name: "where", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
			},
			GetKeys: func(args [][]byte) []int { return numkeysGetKeys(args, 1) },
			Handler: cmdLmpop,
		},
	} {
		t.Add(c)
	}
	registerBlocking(t)
}

// Error replies of the list commands, as Redis 7.0 words them.
const (
	errIndexOutOfRange = "ERR index out of range"
	errMustBePositive  = "ERR value is out of range, must be positive"
	errRankZero        = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errNumkeys         = "ERR numkeys should be greater than 0"
	errMpopCount       = "ERR count should be greater than 0"
)

// parseRangeLong is Redis's getRangeLongFromObjectOrReply: an integer
// (string2ll) in [lo, hi]. msg, when not empty, is the reply for both a
// non-integer and a value out of range; otherwise Redis's generic texts
// are used. It returns the error reply, "" on success.
func parseRangeLong(b []byte, lo, hi int64, msg string) (int64, string) {
	v, ok := redisnum.ParseInt(b)
	switch {
	case !ok && msg != "":
		return 0, msg
	case !ok:
		return 0, ErrNotInteger
	case (v < lo || v > hi) && msg != "":
		return 0, msg
	case v < lo || v > hi:
		return 0, fmt.Sprintf("ERR value is out of range, value must between %d and %d", lo, hi)
	}
	return v, ""
}

// parseWhere reads LEFT or RIGHT (Redis's getListPositionFromObjectOrReply).
func parseWhere(b []byte) (left, ok bool) {
	switch {
	case isArg(b, "left"):
		return true, true
	case isArg(b, "right"):
		return false, true
	}
	return false, false
}

// listColl runs fn on the list at key in the session's database and
// answers the error fn (or the engine) returns. fn returns
// engine.ErrWrongType, before writing anything, when the key holds
// another type. It reports whether no error was answered.
func listColl(c *Ctx, key []byte, fn func(l *engine.Coll) error) bool {
	if err := c.Srv.Engine.Collection(c.DB(), key, engine.TypeList, fn); err != nil {
		c.W.WriteError(EngineError(err))
		return false
	}
	return true
}

// readList is listColl for the read-only commands, which count a
// keyspace hit or miss as Redis's lookupKeyRead does (a key of another
// type is a hit).
func readList(c *Ctx, key []byte, fn func(l *engine.Coll) error) {
	listColl(c, key, func(l *engine.Coll) error {
		if l.Exists() || l.WrongType() {
			c.Srv.Hit()
		} else {
			c.Srv.Miss()
		}
		if l.WrongType() {
			return engine.ErrWrongType
		}
		return fn(l)
	})
}

func cmdLpush(c *Ctx)  { pushCommand(c, true, false) }
func cmdRpush(c *Ctx)  { pushCommand(c, false, false) }
func cmdLpushx(c *Ctx) { pushCommand(c, true, true) }
func cmdRpushx(c *Ctx) { pushCommand(c, false, true) }

// pushCommand is LPUSH, RPUSH and, with onlyExisting, LPUSHX and RPUSHX.
// Clients blocked on the key are served before it returns.
func pushCommand(c *Ctx, left, onlyExisting bool) {
	key := c.Args[1]
	pushed := false
	listColl(c, key, func(l *engine.Coll) error {
		if l.WrongType() {
			return engine.ErrWrongType
		}
		if onlyExisting && !l.Exists() {
			c.W.WriteInt(0)
			return nil
		}
		for _, v := range c.Args[2:] {
			if err := l.ListPush(left, v); err != nil {
				return err
			}
		}
		pushed = true
		c.W.WriteInt(int64(l.Len()))
		return nil
	})
	if pushed {
		c.Srv.signalKeyReady(c.DB(), key)
	}
}

func cmdLpop(c *Ctx) { popCommand(c, true) }
func cmdRpop(c *Ctx) { popCommand(c, false) }

// popCommand is LPOP and RPOP: one element as a bulk string, or with a
// count an array of up to count elements in the order they were popped.
func popCommand(c *Ctx, left bool) {
	if len(c.Args) > 3 {
		c.W.WriteError(WrongArgs(c.Cmd.FullName()))
		return
	}
	hasCount := len(c.Args) == 3
	var count int64
	if hasCount {
		n, msg := parseRangeLong(c.Args[2], 0, math.MaxInt64, errMustBePositive)
		if msg != "" {
			c.W.WriteError(msg)
			return
		}
		count = n
	}
	listColl(c, c.Args[1], func(l *engine.Coll) error {
		switch {
		case !l.Exists() && !l.WrongType() && hasCount:
			c.W.WriteNullArray()
			return nil
		case !l.Exists() && !l.WrongType():
			c.W.WriteNull()
			return nil
		case l.WrongType():
			return engine.ErrWrongType
		case !hasCount:
			v, _ := l.ListPop(left, nil)
			c.W.WriteBulk(v)
			return nil
		}
		n := int(min(count, int64(l.Len())))
		c.W.WriteArray(n)
		var buf []byte
		for range n {
			buf, _ = l.ListPop(left, buf[:0])
			c.W.WriteBulk(buf)
		}
		return nil
	})
}

func cmdLlen(c *Ctx) {
	readList(c, c.Args[1], func(l *engine.Coll) error {
		c.W.WriteInt(int64(l.Len()))
		return nil
	})
}

// listIndex turns a Redis index (negative counts from the tail) into a
// position, which may be out of [0, n).
func listIndex(i int64, n int) int64 {
	if i < 0 {
		return int64(n) + i
	}
	return i
}

func cmdLrange(c *Ctx) {
	start, ok1 := redisnum.ParseInt(c.Args[2])
	end, ok2 := redisnum.ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrNotInteger)
		return
	}
	readList(c, c.Args[1], func(l *engine.Coll) error {
		n := l.Len()
		start, end := max(listIndex(start, n), 0), listIndex(end, n)
		if start > end || start >= int64(n) {
			c.W.WriteArray(0)
			return nil
		}
		end = min(end, int64(n)-1)
		c.W.WriteArray(int(end - start + 1))
		for i := int(start); i <= int(end); i++ {
			c.W.WriteBulk(l.ListIndex(i))
		}
		return nil
	})
}

func cmdLindex(c *Ctx) {
	readList(c, c.Args[1], func(l *engine.Coll) error {
		if !l.Exists() {
			c.W.WriteNull()
			return nil
		}
		i, ok := redisnum.ParseInt(c.Args[2])
		if !ok {
			c.W.WriteError(ErrNotInteger)
			return nil
		}
		if i = listIndex(i, l.Len()); i < 0 || i >= int64(l.Len()) {
			c.W.WriteNull()
			return nil
		}
		c.W.WriteBulk(l.ListIndex(int(i)))
		return nil
	})
}

func cmdLset(c *Ctx) {
	listColl(c, c.Args[1], func(l *engine.Coll) error {
		switch {
		case l.WrongType():
			return engine.ErrWrongType
		case !l.Exists():
			c.W.WriteError(ErrNoSuchKey)
			return nil
		}
		i, ok := redisnum.ParseInt(c.Args[2])
		if !ok {
			c.W.WriteError(ErrNotInteger)
			return nil
		}
		if i = listIndex(i, l.Len()); i < 0 || i >= int64(l.Len()) {
			c.W.WriteError(errIndexOutOfRange)
			return nil
		}
		if err := l.ListSet(int(i), c.Args[3]); err != nil {
			return err
		}
		c.W.WriteSimple("OK")
		return nil
	})
}

func cmdLinsert(c *Ctx) {
	var after bool
	switch {
	case isArg(c.Args[2], "after"):
		after = true
	case isArg(c.Args[2], "before"):
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	key, pivot := c.Args[1], c.Args[3]
	inserted := false
	listColl(c, key, func(l *engine.Coll) error {
		switch {
		case l.WrongType():
			return engine.ErrWrongType
		case !l.Exists():
			c.W.WriteInt(0)
			return nil
		}
		n := l.Len()
		for i := range n {
			if !bytes.Equal(l.ListIndex(i), pivot) {
				continue
			}
			if after {
				i++
			}
			if err := l.ListInsert(i, c.Args[4]); err != nil {
				return err
			}
			inserted = true
			c.W.WriteInt(int64(l.Len()))
			return nil
		}
		c.W.WriteInt(-1)
		return nil
	})
	if inserted {
		c.Srv.signalKeyReady(c.DB(), key)
	}
}

func cmdLrem(c *Ctx) {
	toRemove, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	elem := c.Args[3]
	listColl(c, c.Args[1], func(l *engine.Coll) error {
		switch {
		case l.WrongType():
			return engine.ErrWrongType
		case !l.Exists():
			c.W.WriteInt(0)
			return nil
		}
		// Redis's loop, overflow included: a count of math.MinInt64 stays
		// negative once negated and so never stops the scan.
		fromTail := toRemove < 0
		if fromTail {
			toRemove = -toRemove
		}
		n := l.Len()
		var at []int
		for k := range n {
			i := k
			if fromTail {
				i = n - 1 - k
			}
			if bytes.Equal(l.ListIndex(i), elem) {
				at = append(at, i)
				if toRemove != 0 && int64(len(at)) == toRemove {
					break
				}
			}
		}
		if fromTail {
			slices.Reverse(at)
		}
		l.ListRemove(at)
		c.W.WriteInt(int64(len(at)))
		return nil
	})
}

func cmdLtrim(c *Ctx) {
	start, ok1 := redisnum.ParseInt(c.Args[2])
	end, ok2 := redisnum.ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrNotInteger)
		return
	}
	listColl(c, c.Args[1], func(l *engine.Coll) error {
		if l.WrongType() {
			return engine.ErrWrongType
		}
		if n := l.Len(); n > 0 {
			start, end := max(listIndex(start, n), 0), listIndex(end, n)
			if start > end || start >= int64(n) {
				l.ListTrim(1, 0)
			} else {
				l.ListTrim(int(start), int(min(end, int64(n)-1)))
			}
		}
		c.W.WriteSimple("OK")
		return nil
	})
}

func cmdLpos(c *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.Args); j++ {
		opt, more := c.Args[j], j+1 < len(c.Args)
		var msg string
		switch {
		case isArg(opt, "rank") && more:
			j++
			var ok bool
			if rank, ok = redisnum.ParseInt(c.Args[j]); !ok {
				msg = ErrNotInteger
			} else if rank == 0 {
				msg = errRankZero
			}
		case isArg(opt, "count") && more:
			j++
			count, msg = parseRangeLong(c.Args[j], 0, math.MaxInt64, "ERR COUNT can't be negative")
		case isArg(opt, "maxlen") && more:
			j++
			maxlen, msg = parseRangeLong(c.Args[j], 0, math.MaxInt64, "ERR MAXLEN can't be negative")
		default:
			msg = ErrSyntax
		}
		if msg != "" {
			c.W.WriteError(msg)
			return
		}
	}
	// A negative rank searches from the tail. As in Redis, -MinInt64
	// overflows and stays negative, which then matches from the first hit.
	fromTail := rank < 0
	if fromTail {
		rank = -rank
	}
	elem := c.Args[2]
	readList(c, c.Args[1], func(l *engine.Coll) error {
		if !l.Exists() {
			if count != -1 {
				c.W.WriteArray(0)
			} else {
				c.W.WriteNull()
			}
			return nil
		}
		n := l.Len()
		var found []int64
		matches, match := int64(0), int64(-1)
		for index := int64(0); index < int64(n) && (maxlen == 0 || index < maxlen); index++ {
			at := index
			if fromTail {
				at = int64(n) - index - 1
			}
			if !bytes.Equal(l.ListIndex(int(at)), elem) {
				continue
			}
			matches++
			if matches < rank {
				continue
			}
			if count == -1 {
				match = at
				break
			}
			found = append(found, at)
			if count != 0 && matches-rank+1 >= count {
				break
			}
		}
		switch {
		case count != -1:
			c.W.WriteArray(len(found))
			for _, i := range found {
				c.W.WriteInt(i)
			}
		case match >= 0:
			c.W.WriteInt(match)
		default:
			c.W.WriteNull()
		}
		return nil
	})
}

// moveResult is how an LMOVE went.
type moveResult uint8

const (
	moveDone    moveResult = iota // the element moved; its bulk reply is written
	moveNoSrc                     // the source does not exist: nothing written
	moveSrcType                   // the source is not a list: nothing written
	moveDstType                   // the destination is not a list: nothing written
)

// lmove pops an element from src and pushes it to dst atomically
// (Redis's lmoveGenericCommand), writing the element as a bulk reply.
// The caller signals dst when the element moved.
func lmove(c *Ctx, src, dst []byte, fromLeft, toLeft bool) (moveResult, error) {
	db := c.DB()
	res := moveDone
	err := c.Srv.Engine.Collections([]engine.CollRef{{DB: db, Key: src, Type: engine.TypeList},
		{DB: db, Key: dst, Type: engine.TypeList}}, func(cs []*engine.Coll) error {
		s, d := cs[0], cs[1]
		switch {
		case s.WrongType():
			res = moveSrcType
			return nil
		case !s.Exists():
			res = moveNoSrc
			return nil
		case d.WrongType():
			res = moveDstType
			return nil
		}
		v, _ := s.ListPop(fromLeft, nil)
		if err := d.ListPush(toLeft, v); err != nil {
			return err
		}
		c.W.WriteBulk(v)
		return nil
	})
	return res, err
}

// moveCommand is LMOVE and RPOPLPUSH.
func moveCommand(c *Ctx, fromLeft, toLeft bool) {
	src, dst := c.Args[1], c.Args[2]
	res, err := lmove(c, src, dst, fromLeft, toLeft)
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case res == moveNoSrc:
		c.W.WriteNull()
	case res == moveSrcType || res == moveDstType:
		c.W.WriteError(ErrWrongType)
	default:
		c.Srv.signalKeyReady(c.DB(), dst)
	}
}

func cmdLmove(c *Ctx) {
	fromLeft, ok1 := parseWhere(c.Args[3])
	toLeft, ok2 := parseWhere(c.Args[4])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrSyntax)
		return
	}
	moveCommand(c, fromLeft, toLeft)
}

func cmdRpoplpush(c *Ctx) { moveCommand(c, false, true) }

// popShape is the reply of a pop that names its key.
type popShape uint8

const (
	popPair   popShape = iota // BLPOP, BRPOP: [key, element]
	popNested                 // LMPOP, BLMPOP: [key, [element...]]
)

// popFirst pops from the first of keys that holds a list, atomically over
// all of them: one element, or up to count for popNested. The first key
// of another type met before a list answers WRONGTYPE. It reports whether
// it wrote a reply; when no key holds a list it writes nothing.
func popFirst(c *Ctx, keys [][]byte, left bool, count int64, shape popShape) bool {
	refs := make([]engine.CollRef, len(keys))
	for i, k := range keys {
		refs[i] = engine.CollRef{DB: c.DB(), Key: k, Type: engine.TypeList}
	}
	replied := false
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		for i, l := range cs {
			if l.WrongType() {
				return engine.ErrWrongType
			}
			if l.Len() > 0 {
				replied = true
				writePop(c.W, keys[i], l, left, count, shape)
				return nil
			}
		}
		return nil
	})
	if err != nil {
		c.W.WriteError(EngineError(err))
		return true
	}
	return replied
}

// writePop pops from the non-empty list l at key and writes the reply.
func writePop(w Writer, key []byte, l *engine.Coll, left bool, count int64, shape popShape) {
	w.WriteArray(2)
	w.WriteBulk(key)
	if shape == popPair {
		v, _ := l.ListPop(left, nil)
		w.WriteBulk(v)
		return
	}
	n := int(min(count, int64(l.Len())))
	w.WriteArray(n)
	var buf []byte
	for range n {
		buf, _ = l.ListPop(left, buf[:0])
		w.WriteBulk(buf)
	}
}

// mpopArgs are the parsed arguments of LMPOP and BLMPOP.
type mpopArgs struct {
	keys  [][]byte
	left  bool
	count int64
}

// parseMpop reads "numkeys key... LEFT|RIGHT [COUNT count]" starting at
// args[at] (Redis's lmpopGenericCommand). It returns the error reply, ""
// on success.
func parseMpop(args [][]byte, at int) (mpopArgs, string) {
	var m mpopArgs
	numkeys, msg := parseRangeLong(args[at], 1, math.MaxInt64, errNumkeys)
	if msg != "" {
		return m, msg
	}
	if numkeys >= int64(len(args)-at-1) {
		return m, ErrSyntax // no room for the keys and LEFT|RIGHT
	}
	whereAt := at + 1 + int(numkeys)
	m.keys = args[at+1 : whereAt]
	left, ok := parseWhere(args[whereAt])
	if !ok {
		return m, ErrSyntax
	}
	m.left, m.count = left, -1
	for j := whereAt + 1; j < len(args); j++ {
		if m.count == -1 && isArg(args[j], "count") && j+1 < len(args) {
			j++
			if m.count, msg = parseRangeLong(args[j], 1, math.MaxInt64, errMpopCount); msg != "" {
				return m, msg
			}
			continue
		}
		return m, ErrSyntax
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, ""
}

func cmdLmpop(c *Ctx) {
	m, msg := parseMpop(c.Args, 1)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	if !popFirst(c, m.keys, m.left, m.count, popNested) {
		c.W.WriteNullArray()
	}
}

// numkeysGetKeys returns the key indexes of a command whose keys follow
// a count at args[at] (LMPOP, BLMPOP), as Redis's genericGetKeys: the
// count is read with atoi, and a count that does not fit yields no keys.
func numkeysGetKeys(args [][]byte, at int) []int {
	if at >= len(args) {
		return nil
	}
	n := atoi(args[at])
	if n < 1 || n > int64(len(args)-at-1) {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = at + 1 + i
	}
	return out
}

// atoi is C's atoi: leading blanks, an optional sign, then digits up to
// the first non-digit; 0 when there are none.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if v > math.MaxInt32 {
			break // only the sign of an out-of-range int matters here
		}
		v = v*10 + int64(b[i]-'0')
	}
	if neg {
		return -v
	}
	return v
}
