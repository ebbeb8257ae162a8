package commands

import "github.com/nebredis/nebredis/engine"

// The blocking sorted-set pops. They wait through the same registry as the
// list pops (blocking.go); ZADD signals the keys it adds to.

// zsetBlockingCommands are BZPOPMIN, BZPOPMAX and BZMPOP, as Redis 7.0's
// COMMAND INFO and COMMAND DOCS describe them.
func zsetBlockingCommands() []*Command {
	bzpop := func(name, which string, h Handler) *Command {
		return &Command{
			Name: name, Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast,
			FirstKey: 1, LastKey: -2, Step: 1,
			Categories: []string{"sortedset"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and return the member with the " + which + " score from one or more sorted sets, or block until one is available",
			Since:      "5.0.0",
			Group:      "sorted-set",
			Complexity: "O(log(N)) with N being the number of elements in the sorted set.",
			History:    [][2]string{{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
				{Name: "timeout", Type: "double"},
			},
			Handler: h,
		}
	}
	return []*Command{
		bzpop("bzpopmin", "lowest", func(c *Ctx) { bzpopMinMax(c, false) }),
		bzpop("bzpopmax", "highest", func(c *Ctx) { bzpopMinMax(c, true) }),
		{
			Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking,
			Categories: []string{"sortedset"},
			KeySpecs:   []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Summary:    "Remove and return members with scores in a sorted set or block until one is available",
			Since:      "7.0.0",
			Group:      "sorted-set",
			Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
			Args: []ArgDoc{
				{Name: "timeout", Type: "double"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", Multiple: true},
				{Name: "where", Type: "oneof", Args: []ArgDoc{{Name: "min", Type: "pure-token", Token: "MIN"}, {Name: "max", Type: "pure-token", Token: "MAX"}}},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
			},
			GetKeys: numkeysKeys(0, 2),
			Handler: cmdBzmpop,
		},
	}
}

// bzpopMinMax is BZPOPMIN/BZPOPMAX key... timeout: [key, member, score]
// from the first non-empty sorted set, or a null array at the timeout.
func bzpopMinMax(c *Ctx, max bool) {
	timeout, msg := parseTimeout(c.Args[len(c.Args)-1])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	zsetBlock(c, keys, max, -1, zpopShape{emitKey: true}, timeout)
}

// cmdBzmpop is BZMPOP timeout numkeys key... MIN|MAX [COUNT count].
func cmdBzmpop(c *Ctx) {
	keys, max, count, msg := parseZmpop(c.Args, 2)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	timeout, msg := parseTimeout(c.Args[1])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	zsetBlock(c, keys, max, count, zpopShape{emitKey: true, nested: true}, timeout)
}

// zsetBlock pops at once when a key has members, else waits for ZADD to
// signal one.
func zsetBlock(c *Ctx, keys [][]byte, max bool, count int64, shape zpopShape, timeout int64) {
	out := c.blockForKeys(keyWait{keys: keys, timeout: timeout,
		try: func() (bool, []byte) { return zpopFirst(c, keys, max, count, shape), nil },
		serve: func(key []byte) (serveResult, []byte) {
			var typ engine.Type
			if !c.Srv.Engine.Peek(c.DB(), key, func(v *engine.Value) { typ = v.Type }) {
				return keyDrained, nil
			}
			if typ != engine.TypeZSet {
				return notServed, nil // a list: its own waiters may take from it
			}
			if zpopFirst(c, [][]byte{key}, max, count, shape) {
				return served, nil
			}
			return keyDrained, nil
		}})
	if out == waitTimedOut || out == waitDenied {
		c.W.WriteNullArray()
	}
}
