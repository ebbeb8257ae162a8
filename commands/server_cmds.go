package commands

import (
	"runtime/debug"
	"strconv"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterServer adds the server family: INFO, DBSIZE, FLUSHDB, FLUSHALL,
// TIME, SWAPDB, LASTSAVE, SHUTDOWN, SLOWLOG, MEMORY and OBJECT. CONFIG is
// registered by RegisterConfig.
func RegisterServer(t *Table) {
	t.Add(infoCommandRow())
	t.Add(&Command{Name: "dbsize", Arity: 1, Flags: FlagReadOnly | FlagFast, Categories: []string{"keyspace"},
		Group: "server", Since: "1.0.0", Summary: "Return the number of keys in the selected database",
		Complexity: "O(1)", Tips: []string{"request_policy:all_shards", "response_policy:agg_sum"},
		Handler: func(c *Ctx) { c.W.WriteInt(int64(c.Srv.Engine.DBSize(c.Sess.DB))) }})
	flushArgs := []ArgDoc{{Name: "async", Type: "oneof", Optional: true, Args: []ArgDoc{
		{Name: "async", Type: "pure-token", Token: "ASYNC", Since: "4.0.0"},
		{Name: "sync", Type: "pure-token", Token: "SYNC", Since: "6.2.0"}}}}
	flushHistory := [][2]string{{"4.0.0", "Added the `ASYNC` flushing mode modifier."},
		{"6.2.0", "Added the `SYNC` flushing mode modifier."}}
	t.Add(&Command{Name: "flushdb", Arity: -1, Flags: FlagWrite, Categories: []string{"keyspace", "dangerous"},
		Group: "server", Since: "1.0.0", Summary: "Remove all keys from the current database",
		Complexity: "O(N) where N is the number of keys in the selected database",
		Tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		History:    flushHistory, Args: flushArgs,
		Handler: func(c *Ctx) {
			if !flushModeOK(c.Args) {
				c.W.WriteError(ErrSyntax)
				return
			}
			if err := c.Srv.Engine.FlushDB(c.Sess.DB); err != nil {
				c.W.WriteError(EngineError(err))
				return
			}
			c.W.WriteSimple("OK")
		}})
	t.Add(&Command{Name: "flushall", Arity: -1, Flags: FlagWrite, Categories: []string{"keyspace", "dangerous"},
		Group: "server", Since: "1.0.0", Summary: "Remove all keys from all databases",
		Complexity: "O(N) where N is the total number of keys in all databases",
		Tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		History:    flushHistory, Args: flushArgs,
		Handler: func(c *Ctx) {
			if !flushModeOK(c.Args) {
				c.W.WriteError(ErrSyntax)
				return
			}
			c.Srv.Engine.FlushAll()
			c.W.WriteSimple("OK")
		}})
	t.Add(&Command{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast, Group: "server",
		Since: "2.6.0", Summary: "Return the current server time", Complexity: "O(1)",
		Tips: []string{"nondeterministic_output"},
		Handler: func(c *Ctx) {
			now := time.Now()
			c.W.WriteArray(2)
			c.W.WriteBulkString(strconv.FormatInt(now.Unix(), 10))
			c.W.WriteBulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
		}})
	t.Add(&Command{Name: "swapdb", Arity: 3, Flags: FlagWrite | FlagFast, Categories: []string{"keyspace", "dangerous"},
		Group: "server", Since: "4.0.0", Summary: "Swaps two Redis databases",
		Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
		Args:       []ArgDoc{{Name: "index1", Type: "integer"}, {Name: "index2", Type: "integer"}},
		Handler:    swapDB})
	t.Add(&Command{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast,
		Categories: []string{"admin", "dangerous"}, Group: "server", Since: "1.0.0",
		Summary: "Get the UNIX time stamp of the last successful save to disk", Complexity: "O(1)",
		Tips:    []string{"nondeterministic_output"},
		Handler: func(c *Ctx) { c.W.WriteInt(c.Srv.lastSave.Load()) }})
	t.Add(&Command{Name: "shutdown", Arity: -1,
		Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale | FlagNoMulti | FlagAllowBusy,
		Group: "server", Since: "1.0.0",
		Summary:    "Synchronously save the dataset to disk and then shut down the server",
		Complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
		History:    [][2]string{{"7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."}},
		Args: []ArgDoc{
			{Name: "nosave_save", Type: "oneof", Optional: true, Args: []ArgDoc{
				{Name: "nosave", Type: "pure-token", Token: "NOSAVE"}, {Name: "save", Type: "pure-token", Token: "SAVE"}}},
			{Name: "now", Type: "pure-token", Token: "NOW", Since: "7.0.0", Optional: true},
			{Name: "force", Type: "pure-token", Token: "FORCE", Since: "7.0.0", Optional: true},
			{Name: "abort", Type: "pure-token", Token: "ABORT", Since: "7.0.0", Optional: true}},
		Handler: shutdownCommand})
	t.Add(slowlogCommand())
	t.Add(memoryCommand())
	t.Add(objectCommand())
}

// flushModeOK checks FLUSHDB/FLUSHALL's optional ASYNC|SYNC. Both flush at
// once: the engine drops a database in one step.
func flushModeOK(args [][]byte) bool {
	switch len(args) {
	case 1:
		return true
	case 2:
		return isArg(args[1], "async") || isArg(args[1], "sync")
	}
	return false
}

func swapDB(c *Ctx) {
	a, ok := redisnum.ParseInt(c.Args[1])
	if !ok || a != int64(int32(a)) {
		c.W.WriteError("ERR invalid first DB index")
		return
	}
	b, ok := redisnum.ParseInt(c.Args[2])
	if !ok || b != int64(int32(b)) {
		c.W.WriteError("ERR invalid second DB index")
		return
	}
	if a < 0 || b < 0 || c.Srv.Engine.SwapDB(int(a), int(b)) != nil {
		c.W.WriteError(ErrDBIndex)
		return
	}
	c.W.WriteSimple("OK")
}

func shutdownCommand(c *Ctx) {
	var save, nosave, abort bool
	for _, a := range c.Args[1:] {
		switch {
		case isArg(a, "nosave"):
			nosave = true
		case isArg(a, "save"):
			save = true
		case isArg(a, "now"), isArg(a, "force"):
			// nebredis has no replicas to wait for and no save to force.
		case isArg(a, "abort"):
			abort = true
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	if (abort && len(c.Args) > 2) || (save && nosave) {
		c.W.WriteError(ErrSyntax)
		return
	}
	if abort {
		c.W.WriteError("ERR No shutdown in progress.")
		return
	}
	if c.Srv.Shutdown == nil {
		c.W.WriteError("ERR Errors trying to SHUTDOWN. Check logs.")
		return
	}
	// As in Redis, a successful SHUTDOWN sends no reply: the connection
	// closes.
	c.Srv.Shutdown()
	c.Action = Close
}

func memoryCommand() *Command {
	return &Command{Name: "memory", Arity: -2, Group: "server", Since: "4.0.0",
		Summary: "A container for memory diagnostics commands", Complexity: "Depends on subcommand.",
		Sub: map[string]*Command{
			"usage": {Arity: -3, Flags: FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: []string{"RO"},
				Group: "server", Since: "4.0.0", Summary: "Estimate the memory usage of a key",
				Complexity: "O(N) where N is the number of samples.",
				Args: []ArgDoc{{Name: "key", Type: "key"},
					{Name: "count", Type: "integer", Token: "SAMPLES", Optional: true}},
				Handler: memoryUsage},
			"stats": {Arity: 2, Group: "server", Since: "4.0.0", Summary: "Show memory usage details",
				Complexity: "O(1)",
				Tips:       []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler:    memoryStats},
			"doctor": {Arity: 2, Group: "server", Since: "4.0.0", Summary: "Outputs memory problems report",
				Complexity: "O(1)",
				Tips:       []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler:    memoryDoctor},
			"malloc-stats": {Arity: 2, Group: "server", Since: "4.0.0", Summary: "Show allocator internal stats",
				Complexity: "Depends on how much memory is allocated, could be slow",
				Tips:       []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
				Handler: func(c *Ctx) {
					c.W.WriteVerbatim("txt", "Stats not supported for the current allocator")
				}},
			"purge": {Arity: 2, Group: "server", Since: "4.0.0", Summary: "Ask the allocator to release memory",
				Complexity: "Depends on how much memory is allocated, could be slow",
				Tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
				Handler: func(c *Ctx) {
					debug.FreeOSMemory()
					c.W.WriteSimple("OK")
				}},
			"help": helpCommand("4.0.0", "server", memoryHelp),
		}}
}

var memoryHelp = []string{
	"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
	"HELP",
	"    Prints this help.",
}

func memoryUsage(c *Ctx) {
	for j := 3; j < len(c.Args); j++ {
		if !isArg(c.Args[j], "samples") || j+1 >= len(c.Args) {
			c.W.WriteError(ErrSyntax)
			return
		}
		n, ok := redisnum.ParseInt(c.Args[j+1])
		if !ok {
			c.W.WriteError(ErrNotInteger)
			return
		}
		if n < 0 {
			c.W.WriteError(ErrSyntax)
			return
		}
		j++ // the engine measures every key exactly: samples changes nothing
	}
	n, ok := c.Srv.Engine.KeyMemoryUsage(c.Sess.DB, c.Args[2])
	if !ok {
		c.W.WriteNull()
		return
	}
	c.W.WriteInt(int64(n))
}

func memoryStats(c *Ctx) {
	s := c.Srv
	used := s.usedMemory()
	peak := max(s.memPeak.Load(), used)
	st := s.Engine.Stats()
	rss := rssBytes()
	keys := int64(0)
	type dbOverhead struct {
		db   int
		keys int64
	}
	var dbs []dbOverhead
	for db := 0; db < s.Engine.Databases(); db++ {
		if n := int64(s.Engine.DBSize(db)); n > 0 {
			keys += n
			dbs = append(dbs, dbOverhead{db, n})
		}
	}
	overhead := used - st.Segments
	perKey := int64(0)
	if keys > 0 {
		perKey = st.Segments / keys
	}
	ratio := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	w := c.W
	w.WriteMap(19 + len(dbs))
	pairs := []struct {
		k string
		v int64
	}{
		{"peak.allocated", peak}, {"total.allocated", used}, {"startup.allocated", 0},
		{"replication.backlog", 0}, {"clients.slaves", 0}, {"clients.normal", 0},
		{"cluster.links", 0}, {"aof.buffer", 0}, {"lua.caches", 0}, {"functions.caches", 0},
	}
	for _, p := range pairs {
		w.WriteBulkString(p.k)
		w.WriteInt(p.v)
	}
	for _, d := range dbs {
		w.WriteBulkString("db." + strconv.Itoa(d.db))
		w.WriteMap(2)
		w.WriteBulkString("overhead.hashtable.main")
		w.WriteInt(st.Index * d.keys / max(keys, 1))
		w.WriteBulkString("overhead.hashtable.expires")
		w.WriteInt(0)
	}
	w.WriteBulkString("overhead.total")
	w.WriteInt(overhead)
	w.WriteBulkString("keys.count")
	w.WriteInt(keys)
	w.WriteBulkString("keys.bytes-per-key")
	w.WriteInt(perKey)
	w.WriteBulkString("dataset.bytes")
	w.WriteInt(st.Segments)
	w.WriteBulkString("dataset.percentage")
	w.WriteDouble(100 * ratio(st.Segments, used))
	w.WriteBulkString("peak.percentage")
	w.WriteDouble(100 * ratio(used, peak))
	w.WriteBulkString("fragmentation")
	w.WriteDouble(ratio(rss, used))
	w.WriteBulkString("fragmentation.bytes")
	w.WriteInt(rss - used)
	w.WriteBulkString("engine.live")
	w.WriteInt(st.Live)
}

// memoryDoctorSmall is the data size under which Redis's MEMORY DOCTOR
// declines to diagnose.
const memoryDoctorSmall = 5 << 20

func memoryDoctor(c *Ctx) {
	st := c.Srv.Engine.Stats()
	var report string
	switch {
	case st.Used < memoryDoctorSmall:
		report = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	case st.Utilization() < 0.5:
		report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
			" * High fragmentation: less than half of the log segments hold live data (" +
			strconv.FormatFloat(100*st.Utilization(), 'f', 1, 64) +
			"%). The cleaner compacts them in the background; a write-heavy burst can outpace it for a while.\n\n" +
			"I'm here to keep you safe, Sam. I want to help you.\n"
	default:
		report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	c.W.WriteVerbatim("txt", report)
}

func objectCommand() *Command {
	keyed := func(summary, since string, h Handler) *Command {
		return &Command{Arity: 3, Flags: FlagReadOnly, FirstKey: 2, LastKey: 2, Step: 1, KeyFlags: []string{"RO"},
			Categories: []string{"keyspace"}, Group: "generic", Since: since, Summary: summary, Complexity: "O(1)",
			Tips: []string{"nondeterministic_output"}, Args: []ArgDoc{{Name: "key", Type: "key"}}, Handler: h}
	}
	return &Command{Name: "object", Arity: -2, Group: "generic", Since: "2.2.3",
		Summary: "A container for object introspection commands", Complexity: "Depends on subcommand.",
		Sub: map[string]*Command{
			"encoding": keyed("Inspect the internal encoding of a Redis object", "2.2.3", objectEncoding),
			"freq":     keyed("Get the logarithmic access frequency counter of a Redis object", "4.0.0", objectFreq),
			"idletime": keyed("Get the time since a Redis object was last accessed", "2.2.3", objectIdleTime),
			"refcount": keyed("Get the number of references to the value of the key", "2.2.3", objectRefCount),
			"help":     withCategories(helpCommand("6.2.0", "generic", objectHelp), []string{"keyspace"}),
		}}
}

var objectHelp = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// objectLookup finds the key without touching its LRU clock; false means
// the null reply has been written.
func objectLookup(c *Ctx, fn func(v *engine.Value)) bool {
	if !c.Srv.Engine.Peek(c.Sess.DB, c.Args[2], fn) {
		c.W.WriteNull()
		return false
	}
	return true
}

// stringEncoding is the encoding Redis gives a string value stored by SET:
// "int" for what string2ll accepts, "embstr" up to 44 bytes, else "raw".
func stringEncoding(b []byte) string {
	if _, ok := redisnum.ParseInt(b); ok {
		return "int"
	}
	if len(b) <= 44 {
		return "embstr"
	}
	return "raw"
}

func objectEncoding(c *Ctx) {
	var enc string
	var typ engine.Type
	if !objectLookup(c, func(v *engine.Value) {
		typ = v.Type
		if v.Type == engine.TypeString {
			enc = stringEncoding(v.Data)
		}
	}) {
		return
	}
	if typ != engine.TypeString {
		cfg := c.Srv.Config()
		c.Srv.Engine.InspectCollection(c.Sess.DB, c.Args[2], typ, func(col *engine.Coll) {
			enc = collectionEncoding(&cfg, typ, col)
		})
	}
	c.W.WriteBulkString(enc)
}

// collectionEncoding names the encoding Redis 7.0 would be using for a
// collection. Redis converts a compact encoding for good once a threshold
// is crossed, so the decision uses the collection's high-water marks.
func collectionEncoding(cfg *config.Config, typ engine.Type, col *engine.Coll) string {
	info := col.Info()
	switch typ {
	case engine.TypeList:
		return "quicklist" // 7.0 has no plain listpack lists
	case engine.TypeHash:
		if info.PeakLen <= cfg.HashMaxListpackEntries && info.MaxElemLen <= cfg.HashMaxListpackValue {
			return "listpack"
		}
		return "hashtable"
	case engine.TypeZSet:
		if info.PeakLen <= cfg.ZSetMaxListpackEntries && info.MaxElemLen <= cfg.ZSetMaxListpackValue {
			return "listpack"
		}
		return "skiplist"
	case engine.TypeSet:
		if info.PeakLen > cfg.SetMaxIntsetEntries || info.Flags&collFlagNonInteger != 0 {
			return "hashtable"
		}
		intset := true
		col.Each(func(member, _ []byte) bool {
			_, intset = redisnum.ParseInt(member)
			return intset
		})
		if !intset {
			// Sticky, as Redis's conversion to a hashtable is.
			col.SetFlags(collFlagNonInteger)
			return "hashtable"
		}
		return "intset"
	}
	return ""
}

// collFlagNonInteger marks a set that has held a member that is not an
// integer (so Redis would have left intset behind).
const collFlagNonInteger = 1 << 0

func (s *Server) lfuPolicy() bool {
	p := s.Config().MaxMemoryPolicy
	return p == "allkeys-lfu" || p == "volatile-lfu"
}

func objectFreq(c *Ctx) {
	var idle int64
	if !objectLookup(c, func(v *engine.Value) { idle = v.IdleSecs }) {
		return
	}
	if !c.Srv.lfuPolicy() {
		c.W.WriteError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	// The engine keeps recency, not frequency: report Redis's initial LFU
	// counter (5) decayed by one per idle minute, as lfu-decay-time 1 would.
	c.W.WriteInt(max(5-idle/60, 0))
}

func objectIdleTime(c *Ctx) {
	var idle int64
	if !objectLookup(c, func(v *engine.Value) { idle = v.IdleSecs }) {
		return
	}
	if c.Srv.lfuPolicy() {
		c.W.WriteError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.W.WriteInt(idle)
}

// sharedIntegers is Redis's OBJ_SHARED_INTEGERS: small integers are shared
// objects whose refcount reads as OBJ_SHARED_REFCOUNT.
const (
	sharedIntegers = 10000
	sharedRefCount = 1<<31 - 1
)

func objectRefCount(c *Ctx) {
	shared := false
	if !objectLookup(c, func(v *engine.Value) {
		if v.Type == engine.TypeString {
			n, ok := redisnum.ParseInt(v.Data)
			shared = ok && n >= 0 && n < sharedIntegers
		}
	}) {
		return
	}
	// Redis stops sharing integers when maxmemory evicts by LRU or LFU,
	// because shared objects cannot carry a per-key access clock.
	cfg := c.Srv.Config()
	if shared && cfg.MaxMemory > 0 {
		switch cfg.MaxMemoryPolicy {
		case "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu":
			shared = false
		}
	}
	if shared {
		c.W.WriteInt(sharedRefCount)
		return
	}
	c.W.WriteInt(1)
}
