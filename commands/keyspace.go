package commands

import (
	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// RegisterKeyspace adds the generic key commands: DEL, EXISTS, the EXPIRE
// and TTL families, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, COPY, MOVE and
// TOUCH. Rows carry Redis 7.0's arity, flags, key positions, ACL
// categories and COMMAND DOCS text.
func RegisterKeyspace(t *Table) {
	for _, c := range []*Command{
		{
			Name: "del", Arity: -2, Flags: FlagWrite,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:agg_sum"},
			KeyFlags:   []string{"RM", "delete"},
			Summary:    "Delete a key",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdDel,
		},
		{
			Name: "unlink", Arity: -2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:agg_sum"},
			KeyFlags:   []string{"RM", "delete"},
			Summary:    "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
			Since:      "4.0.0",
			Group:      "generic",
			Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdDel,
		},
		{
			Name: "exists", Arity: -2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:agg_sum"},
			KeyFlags:   []string{"RO"},
			Summary:    "Determine if a key exists",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(N) where N is the number of keys to check.",
			History:    [][2]string{{"3.0.3", "Accepts multiple `key` arguments."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdExists,
		},
		{
			Name: "expire", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Set a key's time to live in seconds",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "seconds", Type: "integer"},
				{Name: "condition", Type: "oneof", Since: "7.0.0", Optional: true, Args: []ArgDoc{{Name: "nx", Type: "pure-token", Token: "NX"}, {Name: "xx", Type: "pure-token", Token: "XX"}, {Name: "gt", Type: "pure-token", Token: "GT"}, {Name: "lt", Type: "pure-token", Token: "LT"}}},
			},
			Handler: cmdExpire,
		},
		{
			Name: "pexpire", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Set a key's time to live in milliseconds",
			Since:      "2.6.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "milliseconds", Type: "integer"},
				{Name: "condition", Type: "oneof", Since: "7.0.0", Optional: true, Args: []ArgDoc{{Name: "nx", Type: "pure-token", Token: "NX"}, {Name: "xx", Type: "pure-token", Token: "XX"}, {Name: "gt", Type: "pure-token", Token: "GT"}, {Name: "lt", Type: "pure-token", Token: "LT"}}},
			},
			Handler: cmdPexpire,
		},
		{
			Name: "expireat", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Set the expiration for a key as a UNIX timestamp",
			Since:      "1.2.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "unix-time-seconds", Type: "unix-time"},
				{Name: "condition", Type: "oneof", Since: "7.0.0", Optional: true, Args: []ArgDoc{{Name: "nx", Type: "pure-token", Token: "NX"}, {Name: "xx", Type: "pure-token", Token: "XX"}, {Name: "gt", Type: "pure-token", Token: "GT"}, {Name: "lt", Type: "pure-token", Token: "LT"}}},
			},
			Handler: cmdExpireat,
		},
		{
			Name: "pexpireat", Arity: -3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
			Since:      "2.6.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "unix-time-milliseconds", Type: "unix-time"},
				{Name: "condition", Type: "oneof", Since: "7.0.0", Optional: true, Args: []ArgDoc{{Name: "nx", Type: "pure-token", Token: "NX"}, {Name: "xx", Type: "pure-token", Token: "XX"}, {Name: "gt", Type: "pure-token", Token: "GT"}, {Name: "lt", Type: "pure-token", Token: "LT"}}},
			},
			Handler: cmdPexpireat,
		},
		{
			Name: "expiretime", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Get the expiration Unix timestamp for a key",
			Since:      "7.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdExpiretime,
		},
		{
			Name: "pexpiretime", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Get the expiration Unix timestamp for a key in milliseconds",
			Since:      "7.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdPexpiretime,
		},
		{
			Name: "ttl", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Get the time to live for a key in seconds",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"2.8.0", "Added the -2 reply."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdTtl,
		},
		{
			Name: "pttl", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"nondeterministic_output"},
			Summary:    "Get the time to live for a key in milliseconds",
			Since:      "2.6.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"2.8.0", "Added the -2 reply."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdPttl,
		},
		{
			Name: "persist", Arity: 2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			Summary:    "Remove the expiration from a key",
			Since:      "2.2.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdPersist,
		},
		{
			Name: "type", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			KeyFlags:   []string{"RO"},
			Summary:    "Determine the type stored at key",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdType,
		},
		{
			Name: "keys", Arity: 2, Flags: FlagReadOnly,
			FirstKey: 0, LastKey: 0, Step: 0,
			Categories: []string{"keyspace", "dangerous"},
			Tips:       []string{"request_policy:all_shards", "nondeterministic_output_order"},
			Summary:    "Find all keys matching the given pattern",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
			Args: []ArgDoc{
				{Name: "pattern", Type: "pattern"},
			},
			Handler: cmdKeys,
		},
		{
			Name: "scan", Arity: -2, Flags: FlagReadOnly,
			FirstKey: 0, LastKey: 0, Step: 0,
			Categories: []string{"keyspace"},
			Tips:       []string{"nondeterministic_output", "request_policy:special"},
			Summary:    "Incrementally iterate the keys space",
			Since:      "2.8.0",
			Group:      "generic",
			Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
			History:    [][2]string{{"6.0.0", "Added the `TYPE` subcommand."}},
			Args: []ArgDoc{
				{Name: "cursor", Type: "integer"},
				{Name: "pattern", Type: "pattern", Token: "MATCH", Optional: true},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
				{Name: "type", Type: "string", Token: "TYPE", Since: "6.0.0", Optional: true},
			},
			Handler: cmdScan,
		},
		{
			Name: "randomkey", Arity: 1, Flags: FlagReadOnly,
			FirstKey: 0, LastKey: 0, Step: 0,
			Categories: []string{"keyspace"},
			Tips:       []string{"request_policy:all_shards", "nondeterministic_output"},
			Summary:    "Return a random key from the keyspace",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Handler:    cmdRandomkey,
		},
		{
			Name: "rename", Arity: 3, Flags: FlagWrite,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"keyspace"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RW", "access", "delete"}, Index: 1, KeyStep: 1},
				{Flags: []string{"OW", "update"}, Index: 2, KeyStep: 1},
			},
			Summary:    "Rename a key",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "newkey", Type: "key", KeySpecIndex: 1},
			},
			Handler: cmdRename,
		},
		{
			Name: "renamenx", Arity: 3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"keyspace"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RW", "access", "delete"}, Index: 1, KeyStep: 1},
				{Flags: []string{"OW", "insert"}, Index: 2, KeyStep: 1},
			},
			Summary:    "Rename a key, only if the new key does not exist",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			History:    [][2]string{{"3.2.0", "The command no longer returns an error when source and destination names are the same."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "newkey", Type: "key", KeySpecIndex: 1},
			},
			Handler: cmdRenamenx,
		},
		{
			Name: "copy", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"keyspace"},
			KeySpecs: []KeySpec{
				{Flags: []string{"RO", "access"}, Index: 1, KeyStep: 1},
				{Flags: []string{"OW", "update"}, Index: 2, KeyStep: 1},
			},
			Summary:    "Copy a key",
			Since:      "6.2.0",
			Group:      "generic",
			Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
				{Name: "destination-db", Type: "integer", Token: "DB", Optional: true},
				{Name: "replace", Type: "pure-token", Token: "REPLACE", Optional: true},
			},
			Handler: cmdCopy,
		},
		{
			Name: "move", Arity: 3, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"keyspace"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Move a key to another database",
			Since:      "1.0.0",
			Group:      "generic",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "db", Type: "integer"},
			},
			Handler: cmdMove,
		},
		{
			Name: "touch", Arity: -2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"keyspace"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:agg_sum"},
			KeyFlags:   []string{"RO"},
			Summary:    "Alters the last access time of a key(s). Returns the number of existing keys specified.",
			Since:      "3.2.1",
			Group:      "generic",
			Complexity: "O(N) where N is the number of keys that will be touched.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdTouch,
		},
	} {
		t.Add(c)
	}
}

// cmdDel is DEL and UNLINK (the engine frees memory without blocking
// either way). A key named twice is deleted, and counted, once.
func cmdDel(c *Ctx) {
	keys := c.Args[1:]
	if len(keys) == 1 {
		if c.Srv.Engine.Delete(c.Sess.DB, keys[0]) {
			c.notify(config.EventsGeneric, "del", keys[0])
			c.W.WriteInt(1)
		} else {
			c.W.WriteInt(0)
		}
		return
	}
	refs := make([]engine.KeyRef, len(keys))
	writes := make([]engine.Write, len(keys))
	for i, k := range keys {
		refs[i] = engine.KeyRef{DB: c.Sess.DB, Key: k}
		writes[i] = engine.Write{Op: engine.Delete}
	}
	deleted := 0
	var gone []int // for keyspace notifications
	err := c.Srv.Engine.Multi(refs, func(vals []*engine.Value) []engine.Write {
		seen := make(map[string]struct{}, len(keys))
		for i, v := range vals {
			if _, dup := seen[string(keys[i])]; v != nil && !dup {
				deleted++
				gone = append(gone, i)
			}
			seen[string(keys[i])] = struct{}{}
		}
		return writes
	})
	if err != nil {
		c.W.WriteError(EngineError(err))
		return
	}
	for _, i := range gone {
		c.notify(config.EventsGeneric, "del", keys[i])
	}
	c.W.WriteInt(int64(deleted))
}

// cmdExists counts the keys that exist; a key named twice counts twice.
// It does not count as an access for LRU, as in Redis.
func cmdExists(c *Ctx) {
	n := 0
	for _, k := range c.Args[1:] {
		found := c.Srv.Engine.Exists(c.Sess.DB, k)
		noteLookup(c, found)
		if found {
			n++
		}
	}
	c.W.WriteInt(int64(n))
}

// cmdTouch is EXISTS that does count as an access.
func cmdTouch(c *Ctx) {
	n := 0
	for _, k := range c.Args[1:] {
		found := c.Srv.Engine.View(c.Sess.DB, k, func(*engine.Value) {})
		noteLookup(c, found)
		if found {
			n++
		}
	}
	c.W.WriteInt(int64(n))
}

func cmdType(c *Ctx) {
	t := engine.TypeNone
	found := c.Srv.Engine.Peek(c.Sess.DB, c.Args[1], func(v *engine.Value) { t = v.Type })
	noteLookup(c, found)
	c.W.WriteSimple(t.String())
}

func cmdRandomkey(c *Ctx) {
	key, ok := c.Srv.Engine.RandomKey(c.Sess.DB, nil)
	if !ok {
		c.W.WriteNull()
		return
	}
	c.W.WriteBulk(key)
}

// moved is the Put that recreates a value, with its TTL, under another
// name or in another database. Multi copies the data before it applies
// any write, so the source may be deleted in the same batch.
func moved(v *engine.Value) engine.Write {
	return engine.Write{Op: engine.Put, Type: v.Type, Data: v.Data, ExpireAt: v.ExpireAt}
}

func cmdRename(c *Ctx) { renameGeneric(c, false) }

func cmdRenamenx(c *Ctx) { renameGeneric(c, true) }

// renameGeneric is RENAME (+OK) and RENAMENX (1, or 0 when the new name
// exists). The TTL moves with the value.
func renameGeneric(c *Ctx, nx bool) {
	src, dst := c.Args[1], c.Args[2]
	db := c.Sess.DB
	if string(src) == string(dst) {
		switch {
		case !c.Srv.Engine.Exists(db, src):
			c.W.WriteError(ErrNoSuchKey)
		case nx:
			c.W.WriteInt(0)
		default:
			c.W.WriteSimple("OK")
		}
		return
	}
	missing, blocked := false, false
	err := c.Srv.Engine.Multi([]engine.KeyRef{{DB: db, Key: src}, {DB: db, Key: dst}},
		func(vals []*engine.Value) []engine.Write {
			switch {
			case vals[0] == nil:
				missing = true
				return nil
			case nx && vals[1] != nil:
				blocked = true
				return nil
			}
			return []engine.Write{{Op: engine.Delete}, moved(vals[0])}
		})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case missing:
		c.W.WriteError(ErrNoSuchKey)
	case blocked:
		c.W.WriteInt(0)
	case nx:
		c.Srv.signalKeyReady(db, dst)
		c.W.WriteInt(1)
	default:
		c.Srv.signalKeyReady(db, dst)
		c.W.WriteSimple("OK")
	}
}

const errSameObject = "ERR source and destination objects are the same"

// cmdCopy is COPY source destination [DB db] [REPLACE].
func cmdCopy(c *Ctx) {
	srcDB, dstDB := c.Sess.DB, c.Sess.DB
	replace := false
	for j := 3; j < len(c.Args); j++ {
		switch {
		case keywordIs(c.Args[j], "replace"):
			replace = true
		case keywordIs(c.Args[j], "db") && j+1 < len(c.Args):
			n, msg := parseRedisInt32(c.Args[j+1])
			if msg != "" {
				c.W.WriteError(msg)
				return
			}
			if n < 0 || n >= c.Srv.Engine.Databases() {
				c.W.WriteError(ErrDBIndex)
				return
			}
			dstDB = n
			j++
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	src, dst := c.Args[1], c.Args[2]
	if srcDB == dstDB && string(src) == string(dst) {
		c.W.WriteError(errSameObject)
		return
	}
	copied := false
	err := c.Srv.Engine.Multi([]engine.KeyRef{{DB: srcDB, Key: src}, {DB: dstDB, Key: dst}},
		func(vals []*engine.Value) []engine.Write {
			noteLookup(c, vals[0] != nil)
			if vals[0] == nil || (vals[1] != nil && !replace) {
				return nil
			}
			copied = true
			return []engine.Write{{Op: engine.Keep}, moved(vals[0])}
		})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case copied:
		c.Srv.signalKeyReady(dstDB, dst)
		c.W.WriteInt(1)
	default:
		c.W.WriteInt(0)
	}
}

// cmdMove is MOVE key db: 1 when moved, 0 when the key is missing or the
// target database already has it.
func cmdMove(c *Ctx) {
	dstDB, msg := parseRedisInt32(c.Args[2])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	if dstDB < 0 || dstDB >= c.Srv.Engine.Databases() {
		c.W.WriteError(ErrDBIndex)
		return
	}
	if dstDB == c.Sess.DB {
		c.W.WriteError(errSameObject)
		return
	}
	key := c.Args[1]
	done := false
	err := c.Srv.Engine.Multi([]engine.KeyRef{{DB: c.Sess.DB, Key: key}, {DB: dstDB, Key: key}},
		func(vals []*engine.Value) []engine.Write {
			if vals[0] == nil || vals[1] != nil {
				return nil
			}
			done = true
			return []engine.Write{{Op: engine.Delete}, moved(vals[0])}
		})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case done:
		c.Srv.signalKeyReady(dstDB, key)
		c.W.WriteInt(1)
	default:
		c.W.WriteInt(0)
	}
}
