package commands

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterHashes adds the hash commands: HSET and its variants, field
// reads (HGET, HMGET, HEXISTS, HSTRLEN, HLEN), whole-hash reads (HKEYS,
// HVALS, HGETALL), the counters HINCRBY and HINCRBYFLOAT, HRANDFIELD and
// HSCAN. Rows carry Redis 7.0's arity, flags, key specs, ACL categories and
// COMMAND DOCS text.
func RegisterHashes(t *Table) {
	for _, c := range []*Command{
		{
			Name: "hset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Summary:    "Set the string value of a hash field",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
			History:    [][2]string{{"4.0.0", "Accepts multiple `field` and `value` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field_value", Type: "block", Multiple: true, Args: []ArgDoc{{Name: "field", Type: "string"}, {Name: "value", Type: "string"}}},
			},
			Handler: cmdHset,
		},
		{
			Name: "hsetnx", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Set the value of a hash field, only if the field does not exist",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdHsetnx,
		},
		{
			Name: "hget", Arity: 3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Summary:    "Get the value of a hash field",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
			},
			Handler: cmdHget,
		},
		{
			Name: "hmget", Arity: -3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Summary:    "Get the values of all the given hash fields",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(N) where N is the number of fields being requested.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string", Multiple: true},
			},
			Handler: cmdHmget,
		},
		{
			Name: "hmset", Arity: -4, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories:      []string{"hash"},
			Summary:         "Set multiple hash fields to multiple values",
			Since:           "2.0.0",
			Group:           "hash",
			Complexity:      "O(N) where N is the number of fields being set.",
			DocFlags:        []string{"deprecated"},
			DeprecatedSince: "4.0.0",
			ReplacedBy:      "`HSET` with multiple field-value pairs",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field_value", Type: "block", Multiple: true, Args: []ArgDoc{{Name: "field", Type: "string"}, {Name: "value", Type: "string"}}},
			},
			Handler: cmdHmset,
		},
		{
			Name: "hdel", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RW", "delete"},
			Summary:    "Delete one or more hash fields",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(N) where N is the number of fields to be removed.",
			History:    [][2]string{{"2.4.0", "Accepts multiple `field` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string", Multiple: true},
			},
			Handler: cmdHdel,
		},
		{
			Name: "hlen", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RO"},
			Summary:    "Get the number of fields in a hash",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdHlen,
		},
		{
			Name: "hexists", Arity: 3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RO"},
			Summary:    "Determine if a hash field exists",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
			},
			Handler: cmdHexists,
		},
		{
			Name: "hincrby", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Increment the integer value of a hash field by the given number",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
				{Name: "increment", Type: "integer"},
			},
			Handler: cmdHincrby,
		},
		{
			Name: "hincrbyfloat", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Increment the float value of a hash field by the given amount",
			Since:      "2.6.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
				{Name: "increment", Type: "double"},
			},
			Handler: cmdHincrbyfloat,
		},
		{
			Name: "hkeys", Arity: 2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Get all the fields in a hash",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(N) where N is the size of the hash.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdHkeys,
		},
		{
			Name: "hvals", Arity: 2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Get all the values in a hash",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(N) where N is the size of the hash.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdHvals,
		},
		{
			Name: "hgetall", Arity: 2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Tips:       []string{"nondeterministic_output_order"},
			Summary:    "Get all the fields and values in a hash",
			Since:      "2.0.0",
			Group:      "hash",
			Complexity: "O(N) where N is the size of the hash.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdHgetall,
		},
		{
			Name: "hstrlen", Arity: 3, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			KeyFlags:   []string{"RO"},
			Summary:    "Get the length of the value of a hash field",
			Since:      "3.2.0",
			Group:      "hash",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "field", Type: "string"},
			},
			Handler: cmdHstrlen,
		},
		{
			Name: "hrandfield", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Get one or multiple random fields from a hash",
			Since:      "6.2.0",
			Group:      "hash",
			Complexity: "O(N) where N is the number of fields returned",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "options", Type: "block", Optional: true, Args: []ArgDoc{{Name: "count", Type: "integer"}, {Name: "withvalues", Type: "pure-token", Token: "WITHVALUES", Optional: true}}},
			},
			Handler: cmdHrandfield,
		},
		{
			Name: "hscan", Arity: -3, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"hash"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Incrementally iterate hash fields and associated values",
			Since:      "2.8.0",
			Group:      "hash",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "cursor", Type: "integer"},
				{Name: "pattern", Type: "pattern", Token: "MATCH", Optional: true},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
			},
			Handler: cmdHscan,
		},
	} {
		t.Add(c)
	}
}

func cmdHset(c *Ctx)  { hsetGeneric(c, false) }
func cmdHmset(c *Ctx) { hsetGeneric(c, true) }

// hsetGeneric is HSET (replies with the number of new fields) and HMSET
// (replies OK). Their arity only says "at least one pair"; an odd pair
// count is the same arity error, from the handler as in Redis.
func hsetGeneric(c *Ctx, hmset bool) {
	if len(c.Args)%2 == 1 {
		c.W.WriteError(WrongArgs(c.Cmd.FullName()))
		return
	}
	writeColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) error {
		created := 0
		for i := 2; i < len(c.Args); i += 2 {
			added, err := h.Set(c.Args[i], c.Args[i+1])
			if err != nil {
				return err
			}
			if added {
				created++
			}
		}
		if hmset {
			c.W.WriteSimple("OK")
		} else {
			c.W.WriteInt(int64(created))
		}
		return nil
	})
}

func cmdHsetnx(c *Ctx) {
	writeColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) error {
		if h.Has(c.Args[2]) {
			c.W.WriteInt(0)
			return nil
		}
		if _, err := h.Set(c.Args[2], c.Args[3]); err != nil {
			return err
		}
		c.W.WriteInt(1)
		return nil
	})
}

func cmdHget(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
		if v, ok := h.Get(c.Args[2]); ok {
			c.W.WriteBulk(v)
		} else {
			c.W.WriteNull()
		}
	})
}

func cmdHmget(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
		fields := c.Args[2:]
		c.W.WriteArray(len(fields))
		for _, f := range fields {
			if v, ok := h.Get(f); ok {
				c.W.WriteBulk(v)
			} else {
				c.W.WriteNull()
			}
		}
	})
}

func cmdHdel(c *Ctx) {
	writeColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) error {
		deleted := 0
		for _, f := range c.Args[2:] {
			if h.Delete(f) {
				deleted++
			}
		}
		c.W.WriteInt(int64(deleted))
		return nil
	})
}

func cmdHlen(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) { c.W.WriteInt(int64(h.Len())) })
}

func cmdHstrlen(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
		v, _ := h.Get(c.Args[2])
		c.W.WriteInt(int64(len(v)))
	})
}

func cmdHexists(c *Ctx) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) { writeFlag(c.W, h.Has(c.Args[2])) })
}

// cmdHincrby checks the increment before the key, as Redis does, so a bad
// increment is reported even against a key of another type.
func cmdHincrby(c *Ctx) {
	incr, ok := redisnum.ParseInt(c.Args[3])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	writeColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) error {
		var cur int64
		if v, found := h.Get(c.Args[2]); found {
			n, ok := redisnum.ParseInt(v)
			if !ok {
				return errorReply("ERR hash value is not an integer")
			}
			cur = n
		}
		if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
			return errorReply(ErrOverflow)
		}
		// Set copies the value into the log before it returns.
		if _, err := h.Set(c.Args[2], strconv.AppendInt(c.Sess.scratch.digits[:0], cur+incr, 10)); err != nil {
			return err
		}
		c.W.WriteInt(cur + incr)
		return nil
	})
}

// cmdHincrbyfloat adds in long double precision and stores the sum as
// Redis prints it, like INCRBYFLOAT (see formatLongDouble).
func cmdHincrbyfloat(c *Ctx) {
	incr, ok := parseLongDouble(c.Args[3])
	if !ok {
		c.W.WriteError(ErrNotFloat)
		return
	}
	if incr.IsInf() {
		c.W.WriteError("ERR value is NaN or Infinity")
		return
	}
	writeColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) error {
		value := newLongDouble()
		if v, found := h.Get(c.Args[2]); found {
			if value, ok = parseLongDouble(v); !ok {
				return errorReply("ERR hash value is not a float")
			}
		}
		sum, ok := addLongDouble(value, incr)
		if !ok {
			return errorReply("ERR increment would produce NaN or Infinity")
		}
		out := formatLongDouble(nil, sum)
		if _, err := h.Set(c.Args[2], out); err != nil {
			return err
		}
		c.W.WriteBulk(out)
		return nil
	})
}

func cmdHkeys(c *Ctx)   { hgetallGeneric(c, true, false) }
func cmdHvals(c *Ctx)   { hgetallGeneric(c, false, true) }
func cmdHgetall(c *Ctx) { hgetallGeneric(c, true, true) }

// hgetallGeneric writes the fields, the values or both (a map) of a hash,
// in the engine's order.
func hgetallGeneric(c *Ctx, fields, values bool) {
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
		if fields && values {
			c.W.WriteMap(h.Len())
		} else {
			c.W.WriteArray(h.Len())
		}
		h.Each(func(f, v []byte) bool {
			if fields {
				c.W.WriteBulk(f)
			}
			if values {
				c.W.WriteBulk(v)
			}
			return true
		})
	})
}

// cmdHrandfield is HRANDFIELD key [count [WITHVALUES]]. The count is
// checked before the key; WITHVALUES with a count beyond ±2^62 is refused
// because Redis doubles it for the RESP2 reply.
func cmdHrandfield(c *Ctx) {
	if len(c.Args) == 2 {
		readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
			if h.Len() == 0 {
				c.W.WriteNull()
				return
			}
			f, _ := h.Random(rand.Uint64())
			c.W.WriteBulk(f)
		})
		return
	}
	count, msg := parseRandomCount(c.Args[2])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	if len(c.Args) > 4 || (len(c.Args) == 4 && !keywordIs(c.Args[3], "withvalues")) {
		c.W.WriteError(ErrSyntax)
		return
	}
	withValues := len(c.Args) == 4
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.W.WriteError("ERR value is out of range")
		return
	}
	// RESP3 pairs each field with its value; RESP2 flattens them.
	pairs := withValues && c.Sess.Proto >= 3
	perElem := 1
	if withValues && !pairs {
		perElem = 2
	}
	readColl(c, c.Args[1], engine.TypeHash, func(h *engine.Coll) {
		writeRandom(c, h, count, perElem, func(f, v []byte) {
			if pairs {
				c.W.WriteArray(2)
			}
			c.W.WriteBulk(f)
			if withValues {
				c.W.WriteBulk(v)
			}
		})
	})
}

func cmdHscan(c *Ctx) { scanGeneric(c, engine.TypeHash) }
