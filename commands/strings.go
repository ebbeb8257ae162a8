package commands

import (
	"fmt"
	"math"
	"strconv"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterStrings adds the string commands: GET and SET with their
// variants, the counters (INCR... INCRBYFLOAT), ranges (GETRANGE,
// SETRANGE, APPEND, STRLEN) and LCS. Rows carry Redis 7.0's arity, flags,
// key positions, ACL categories and COMMAND DOCS text.
func RegisterStrings(t *Table) {
	for _, c := range []*Command{
		{
			Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			Summary:    "Get the value of a key",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdGet,
		},
		{
			Name: "set", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update", "variable_flags"},
			KeyNotes:   "RW and ACCESS due to the optional `GET` argument",
			Summary:    "Set the string value of a key",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			History:    [][2]string{{"2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."}, {"6.0.0", "Added the `KEEPTTL` option."}, {"6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."}, {"7.0.0", "Allowed the `NX` and `GET` options to be used together."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "value", Type: "string"},
				{Name: "condition", Type: "oneof", Since: "2.6.12", Optional: true, Args: []ArgDoc{{Name: "nx", Type: "pure-token", Token: "NX"}, {Name: "xx", Type: "pure-token", Token: "XX"}}},
				{Name: "get", Type: "pure-token", Token: "GET", Since: "6.2.0", Optional: true},
				{Name: "expiration", Type: "oneof", Optional: true, Args: []ArgDoc{{Name: "seconds", Type: "integer", Token: "EX", Since: "2.6.12"}, {Name: "milliseconds", Type: "integer", Token: "PX", Since: "2.6.12"}, {Name: "unix-time-seconds", Type: "unix-time", Token: "EXAT", Since: "6.2.0"}, {Name: "unix-time-milliseconds", Type: "unix-time", Token: "PXAT", Since: "6.2.0"}, {Name: "keepttl", Type: "pure-token", Token: "KEEPTTL", Since: "6.0.0"}}},
			},
			Handler: cmdSet,
		},
		{
			Name: "setnx", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"OW", "insert"},
			Summary:    "Set the value of a key, only if the key does not exist",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdSetnx,
		},
		{
			Name: "setex", Arity: 4, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"OW", "update"},
			Summary:    "Set the value and expiration of a key",
			Since:      "2.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "seconds", Type: "integer"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdSetex,
		},
		{
			Name: "psetex", Arity: 4, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"OW", "update"},
			Summary:    "Set the value and expiration in milliseconds of a key",
			Since:      "2.6.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "milliseconds", Type: "integer"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdPsetex,
		},
		{
			Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories:      []string{"string"},
			KeyFlags:        []string{"RW", "access", "update"},
			Summary:         "Set the string value of a key and return its old value",
			Since:           "1.0.0",
			Group:           "string",
			Complexity:      "O(1)",
			DocFlags:        []string{"deprecated"},
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "`SET` with the `!GET` argument",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdGetset,
		},
		{
			Name: "getdel", Arity: 2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Get the value of a key and delete the key",
			Since:      "6.2.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdGetdel,
		},
		{
			Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			KeyNotes:   "RW and UPDATE because it changes the TTL",
			Summary:    "Get the value of a key and optionally set its expiration",
			Since:      "6.2.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "expiration", Type: "oneof", Optional: true, Args: []ArgDoc{{Name: "seconds", Type: "integer", Token: "EX"}, {Name: "milliseconds", Type: "integer", Token: "PX"}, {Name: "unix-time-seconds", Type: "unix-time", Token: "EXAT"}, {Name: "unix-time-milliseconds", Type: "unix-time", Token: "PXAT"}, {Name: "persist", Type: "pure-token", Token: "PERSIST"}}},
			},
			Handler: cmdGetex,
		},
		{
			Name: "mget", Arity: -2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: -1, Step: 1,
			Categories: []string{"string"},
			Tips:       []string{"request_policy:multi_shard"},
			Summary:    "Get the values of all the given keys",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(N) where N is the number of keys to retrieve.",
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
			},
			Handler: cmdMget,
		},
		{
			Name: "mset", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: -1, Step: 2,
			Categories: []string{"string"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:all_succeeded"},
			KeyFlags:   []string{"OW", "update"},
			Summary:    "Set multiple keys to multiple values",
			Since:      "1.0.1",
			Group:      "string",
			Complexity: "O(N) where N is the number of keys to set.",
			Args: []ArgDoc{
				{Name: "key_value", Type: "block", Multiple: true, Args: []ArgDoc{{Name: "key", Type: "key"}, {Name: "value", Type: "string"}}},
			},
			Handler: cmdMset,
		},
		{
			Name: "msetnx", Arity: -3, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: -1, Step: 2,
			Categories: []string{"string"},
			Tips:       []string{"request_policy:multi_shard", "response_policy:agg_min"},
			KeyFlags:   []string{"OW", "insert"},
			Summary:    "Set multiple keys to multiple values, only if none of the keys exist",
			Since:      "1.0.1",
			Group:      "string",
			Complexity: "O(N) where N is the number of keys to set.",
			Args: []ArgDoc{
				{Name: "key_value", Type: "block", Multiple: true, Args: []ArgDoc{{Name: "key", Type: "key"}, {Name: "value", Type: "string"}}},
			},
			Handler: cmdMsetnx,
		},
		{
			Name: "append", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "insert"},
			Summary:    "Append a value to a key",
			Since:      "2.0.0",
			Group:      "string",
			Complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdAppend,
		},
		{
			Name: "strlen", Arity: 2, Flags: FlagReadOnly | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RO"},
			Summary:    "Get the length of the value stored in a key",
			Since:      "2.2.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdStrlen,
		},
		{
			Name: "incr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Increment the integer value of a key by one",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdIncr,
		},
		{
			Name: "decr", Arity: 2, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Decrement the integer value of a key by one",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
			},
			Handler: cmdDecr,
		},
		{
			Name: "incrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Increment the integer value of a key by the given amount",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "increment", Type: "integer"},
			},
			Handler: cmdIncrby,
		},
		{
			Name: "decrby", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Decrement the integer value of a key by the given number",
			Since:      "1.0.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "decrement", Type: "integer"},
			},
			Handler: cmdDecrby,
		},
		{
			Name: "incrbyfloat", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			KeyFlags:   []string{"RW", "access", "update"},
			Summary:    "Increment the float value of a key by the given amount",
			Since:      "2.6.0",
			Group:      "string",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "increment", Type: "double"},
			},
			Handler: cmdIncrbyfloat,
		},
		{
			Name: "getrange", Arity: 4, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			Summary:    "Get a substring of the string stored at a key",
			Since:      "2.4.0",
			Group:      "string",
			Complexity: "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "start", Type: "integer"},
				{Name: "end", Type: "integer"},
			},
			Handler: cmdGetrange,
		},
		{
			Name: "substr", Arity: 4, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories:      []string{"string"},
			Summary:         "Get a substring of the string stored at a key",
			DocFlags:        []string{"deprecated"},
			DeprecatedSince: "2.0.0",
			ReplacedBy:      "`GETRANGE`",
			Since:           "1.0.0",
			Group:           "string",
			Complexity:      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "start", Type: "integer"},
				{Name: "end", Type: "integer"},
			},
			Handler: cmdGetrange,
		},
		{
			Name: "setrange", Arity: 4, Flags: FlagWrite | FlagDenyOOM,
			FirstKey: 1, LastKey: 1, Step: 1,
			Categories: []string{"string"},
			Summary:    "Overwrite part of a string at key starting at the specified offset",
			Since:      "2.2.0",
			Group:      "string",
			Complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
			Args: []ArgDoc{
				{Name: "key", Type: "key"},
				{Name: "offset", Type: "integer"},
				{Name: "value", Type: "string"},
			},
			Handler: cmdSetrange,
		},
		{
			Name: "lcs", Arity: -3, Flags: FlagReadOnly,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"string"},
			Summary:    "Find longest common substring",
			Since:      "7.0.0",
			Group:      "string",
			Complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
			Args: []ArgDoc{
				{Name: "key1", Type: "key"},
				{Name: "key2", Type: "key"},
				{Name: "len", Type: "pure-token", Token: "LEN", Optional: true},
				{Name: "idx", Type: "pure-token", Token: "IDX", Optional: true},
				{Name: "len", Type: "integer", Token: "MINMATCHLEN", Optional: true},
				{Name: "withmatchlen", Type: "pure-token", Token: "WITHMATCHLEN", Optional: true},
			},
			Handler: cmdLcs,
		},
	} {
		t.Add(c)
	}
}

// keywordIs reports whether a command option equals word (lower case),
// ignoring case. Redis compares options as C strings (strcasecmp), so an
// argument is read only up to its first NUL byte.
func keywordIs(arg []byte, word string) bool {
	for i, ch := range arg {
		if ch == 0 {
			arg = arg[:i]
			break
		}
	}
	return isArg(arg, word)
}

// invalidExpire is "ERR invalid expire time in '<cmd>' command".
func invalidExpire(cmd string) string { return fmt.Sprintf(ErrInvalidExpire, cmd) }

// noteLookup counts a read command's keyspace hit or miss.
func noteLookup(c *Ctx, found bool) {
	if found {
		c.Srv.Hit()
	} else {
		c.Srv.Miss()
	}
}

// cmdGet writes the value straight from engine memory inside View: the
// Writer only appends to the connection's reply buffer (it never does I/O,
// see Writer), so this is one copy and no allocation, where Get would
// copy the value into a fresh slice first.
func cmdGet(c *Ctx) {
	w := c.W
	wrongType := false
	found := c.Srv.Engine.View(c.Sess.DB, c.Args[1], func(v *engine.Value) {
		if v.Type != engine.TypeString {
			wrongType = true
			return
		}
		w.WriteBulk(v.Data)
	})
	noteLookup(c, found)
	switch {
	case wrongType:
		c.W.WriteError(ErrWrongType)
	case !found:
		c.W.WriteNull()
	}
}

// Option flags of SET and GETEX, as Redis's parseExtendedStringArguments
// names them.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT

	setAnyExpire = setEX | setPX | setEXAT | setPXAT
)

// parseSetOptions parses the options of SET (forGetEx false) or GETEX
// with Redis's rules: an option conflicting with one already given is a
// syntax error, but repeating one (EX 1 EX 2) is allowed and the last
// value wins. It returns the flags and the expire argument (nil if none).
func parseSetOptions(args [][]byte, forGetEx bool) (int, []byte, bool) {
	flags := 0
	var expire []byte
	forSet := !forGetEx
	for j := 0; j < len(args); j++ {
		opt := args[j]
		hasNext := j+1 < len(args)
		switch {
		case keywordIs(opt, "nx") && flags&setXX == 0 && forSet:
			flags |= setNX
		case keywordIs(opt, "xx") && flags&setNX == 0 && forSet:
			flags |= setXX
		case keywordIs(opt, "get") && forSet:
			flags |= setGet
		case keywordIs(opt, "keepttl") && flags&(setPersist|setAnyExpire) == 0 && forSet:
			flags |= setKeepTTL
		case keywordIs(opt, "persist") && forGetEx && flags&(setKeepTTL|setAnyExpire) == 0:
			flags |= setPersist
		case keywordIs(opt, "ex") && flags&(setKeepTTL|setPersist|setAnyExpire&^setEX) == 0 && hasNext:
			flags |= setEX
			expire = args[j+1]
			j++
		case keywordIs(opt, "px") && flags&(setKeepTTL|setPersist|setAnyExpire&^setPX) == 0 && hasNext:
			flags |= setPX
			expire = args[j+1]
			j++
		case keywordIs(opt, "exat") && flags&(setKeepTTL|setPersist|setAnyExpire&^setEXAT) == 0 && hasNext:
			flags |= setEXAT
			expire = args[j+1]
			j++
		case keywordIs(opt, "pxat") && flags&(setKeepTTL|setPersist|setAnyExpire&^setPXAT) == 0 && hasNext:
			flags |= setPXAT
			expire = args[j+1]
			j++
		default:
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireDeadline turns the argument of EX/PX/EXAT/PXAT into a Unix-ms
// deadline as Redis's getExpireMillisecondsOrReply does: it must be a
// positive integer, and neither the conversion to milliseconds nor adding
// the current time may overflow. It returns the error reply, "" if none.
func expireDeadline(arg []byte, flags int, now int64, cmd string) (int64, string) {
	ms, ok := redisnum.ParseInt(arg)
	if !ok {
		return 0, ErrNotInteger
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		return 0, invalidExpire(cmd)
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += now // wraps on overflow, caught below as in Redis
	}
	if ms <= 0 {
		return 0, invalidExpire(cmd)
	}
	return ms, ""
}

func cmdSet(c *Ctx) {
	flags, expire, ok := parseSetOptions(c.Args[3:], false)
	if !ok {
		c.W.WriteError(ErrSyntax)
		return
	}
	setGeneric(c, flags, c.Args[1], c.Args[2], expire, false)
}

func cmdSetnx(c *Ctx) { setGeneric(c, setNX, c.Args[1], c.Args[2], nil, true) }

func cmdSetex(c *Ctx) { setGeneric(c, setEX, c.Args[1], c.Args[3], c.Args[2], false) }

func cmdPsetex(c *Ctx) { setGeneric(c, setPX, c.Args[1], c.Args[3], c.Args[2], false) }

// setGeneric is SET and its variants. Without GET it answers +OK, or null
// when NX/XX prevented the write; SETNX (intReply) answers 1 or 0
// instead. With GET it answers the old value either way.
func setGeneric(c *Ctx, flags int, key, val, expire []byte, intReply bool) {
	var deadline int64
	if expire != nil {
		var msg string
		if deadline, msg = expireDeadline(expire, flags, c.Srv.Engine.Now(), c.Cmd.FullName()); msg != "" {
			c.W.WriteError(msg)
			return
		}
	}
	var old []byte
	found, wrongType, aborted := false, false, false
	err := c.Srv.Engine.Update(c.Sess.DB, key, func(cur *engine.Value, exists bool) engine.Write {
		found = exists
		if flags&setGet != 0 && exists {
			if cur.Type != engine.TypeString {
				wrongType = true
				return engine.Write{Op: engine.Keep}
			}
			old = append(make([]byte, 0, len(cur.Data)), cur.Data...)
		}
		if (flags&setNX != 0 && exists) || (flags&setXX != 0 && !exists) {
			aborted = true
			return engine.Write{Op: engine.Keep}
		}
		expireAt := deadline
		if flags&setKeepTTL != 0 && exists {
			expireAt = cur.ExpireAt
		}
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: val, ExpireAt: expireAt}
	})
	if flags&setGet != 0 {
		noteLookup(c, found)
	}
	if err == nil && !wrongType && !aborted {
		c.notifySet(key, expire != nil) // keyspace notifications
	}
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case wrongType:
		c.W.WriteError(ErrWrongType)
	case flags&setGet != 0 && found:
		c.W.WriteBulk(old)
	case flags&setGet != 0:
		c.W.WriteNull()
	case aborted && intReply:
		c.W.WriteInt(0)
	case aborted:
		c.W.WriteNull()
	case intReply:
		c.W.WriteInt(1)
	default:
		c.W.WriteSimple("OK")
	}
}

// getAndWrite runs a read-modify-write on a string key that answers with
// the old value: change gets the current value (nil when absent) and says
// what to write, or returns an error reply instead. Missing keys answer
// null, other types WRONGTYPE.
func getAndWrite(c *Ctx, change func(cur *engine.Value) (engine.Write, string)) {
	var old []byte
	var msg string
	found, wrongType := false, false
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		found = exists
		if exists {
			if cur.Type != engine.TypeString {
				wrongType = true
				return engine.Write{Op: engine.Keep}
			}
			old = append(make([]byte, 0, len(cur.Data)), cur.Data...)
		}
		var w engine.Write
		w, msg = change(cur)
		return w
	})
	noteLookup(c, found)
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case wrongType:
		c.W.WriteError(ErrWrongType)
	case msg != "":
		c.W.WriteError(msg)
	case found:
		c.W.WriteBulk(old)
	default:
		c.W.WriteNull()
	}
}

func cmdGetset(c *Ctx) {
	val := c.Args[2]
	getAndWrite(c, func(*engine.Value) (engine.Write, string) {
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: val}, ""
	})
}

func cmdGetdel(c *Ctx) {
	getAndWrite(c, func(cur *engine.Value) (engine.Write, string) {
		if cur == nil {
			return engine.Write{Op: engine.Keep}, ""
		}
		return engine.Write{Op: engine.Delete}, ""
	})
}

func cmdGetex(c *Ctx) {
	flags, expire, ok := parseSetOptions(c.Args[2:], true)
	if !ok {
		c.W.WriteError(ErrSyntax)
		return
	}
	// The expire argument is checked only once the key is known to be a
	// string: GETEX on a missing key answers null even with EX 0.
	now := c.Srv.Engine.Now()
	getAndWrite(c, func(cur *engine.Value) (engine.Write, string) {
		if cur == nil {
			return engine.Write{Op: engine.Keep}, ""
		}
		var deadline int64
		if expire != nil {
			var msg string
			if deadline, msg = expireDeadline(expire, flags, now, "getex"); msg != "" {
				return engine.Write{Op: engine.Keep}, msg
			}
		}
		switch {
		case flags&(setEXAT|setPXAT) != 0 && deadline <= now:
			// An absolute time already past deletes the key.
			return engine.Write{Op: engine.Delete}, ""
		case expire != nil:
			return engine.Write{Op: engine.Touch, ExpireAt: deadline}, ""
		case flags&setPersist != 0 && cur.ExpireAt != 0:
			return engine.Write{Op: engine.Touch, ExpireAt: 0}, ""
		}
		return engine.Write{Op: engine.Keep}, ""
	})
}

func cmdMget(c *Ctx) {
	keys := c.Args[1:]
	refs := make([]engine.KeyRef, len(keys))
	for i, k := range keys {
		refs[i] = engine.KeyRef{DB: c.Sess.DB, Key: k}
	}
	vals := make([][]byte, len(keys))
	found := make([]bool, len(keys))
	err := c.Srv.Engine.Multi(refs, func(cur []*engine.Value) []engine.Write {
		for i, v := range cur {
			if v != nil {
				c.Srv.Hit()
			} else {
				c.Srv.Miss()
			}
			if v != nil && v.Type == engine.TypeString {
				vals[i] = append(make([]byte, 0, len(v.Data)), v.Data...)
				found[i] = true
			}
		}
		return nil
	})
	if err != nil {
		c.W.WriteError(EngineError(err))
		return
	}
	c.W.WriteArray(len(keys))
	for i := range keys {
		if found[i] {
			c.W.WriteBulk(vals[i])
		} else {
			c.W.WriteNull()
		}
	}
}

// msetRefs checks MSET's key-value pairing and returns the keys, built in
// the session's scratch space (see Session.scratch).
func msetRefs(c *Ctx) ([]engine.KeyRef, bool) {
	if len(c.Args)%2 == 0 {
		c.W.WriteError(WrongArgs(c.Cmd.FullName()))
		return nil, false
	}
	refs := c.Sess.scratch.keyRefs[:0]
	for i := 1; i < len(c.Args); i += 2 {
		refs = append(refs, engine.KeyRef{DB: c.Sess.DB, Key: c.Args[i]})
	}
	c.Sess.scratch.keyRefs = refs
	return refs, true
}

// msetWrites are the puts of MSET, in argument order (a repeated key takes
// its last value), built in the session's scratch space.
func msetWrites(sess *Session, args [][]byte) []engine.Write {
	w := sess.scratch.writes[:0]
	for i := 1; i < len(args); i += 2 {
		w = append(w, engine.Write{Op: engine.Put, Type: engine.TypeString, Data: args[i+1]})
	}
	sess.scratch.writes = w
	return w
}

func cmdMset(c *Ctx) {
	refs, ok := msetRefs(c)
	if !ok {
		return
	}
	sess, args := c.Sess, c.Args
	err := c.Srv.Engine.PutMany(refs, msetWrites(sess, args))
	sess.scratch.release()
	if err != nil {
		c.W.WriteError(EngineError(err))
		return
	}
	if c.Srv.notifying(config.EventsString) {
		for j := 1; j < len(args); j += 2 {
			c.notify(config.EventsString, "set", args[j])
		}
	}
	c.W.WriteSimple("OK")
}

func cmdMsetnx(c *Ctx) {
	refs, ok := msetRefs(c)
	if !ok {
		return
	}
	set := false
	err := c.Srv.Engine.Multi(refs, func(cur []*engine.Value) []engine.Write {
		for _, v := range cur {
			if v != nil {
				return nil
			}
		}
		set = true
		return msetWrites(c.Sess, c.Args)
	})
	c.Sess.scratch.release()
	if err != nil {
		c.W.WriteError(EngineError(err))
		return
	}
	if set {
		c.W.WriteInt(1)
	} else {
		c.W.WriteInt(0)
	}
}

// stringTooLong is Redis's checkStringLength: would a string of size
// bytes grown by add bytes exceed limit (proto-max-bulk-len)? The limit is
// read before the engine callback, which must not take other locks.
func stringTooLong(limit, size, add int64) bool {
	total := size + add
	return total > limit || total < size || total < add
}

func cmdAppend(c *Ctx) {
	suffix := c.Args[2]
	limit := c.Srv.Config().ProtoMaxBulkLen
	var total int64
	var msg string
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		if !exists {
			total = int64(len(suffix))
			return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: suffix}
		}
		if cur.Type != engine.TypeString {
			msg = ErrWrongType
			return engine.Write{Op: engine.Keep}
		}
		if stringTooLong(limit, int64(len(cur.Data)), int64(len(suffix))) {
			msg = ErrStringTooLong
			return engine.Write{Op: engine.Keep}
		}
		// A fresh slice: cur.Data is engine memory and must not be
		// appended to in place.
		val := make([]byte, 0, len(cur.Data)+len(suffix))
		val = append(append(val, cur.Data...), suffix...)
		total = int64(len(val))
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: val, ExpireAt: cur.ExpireAt}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case msg != "":
		c.W.WriteError(msg)
	default:
		c.W.WriteInt(total)
	}
}

func cmdStrlen(c *Ctx) {
	n, wrongType := 0, false
	found := c.Srv.Engine.View(c.Sess.DB, c.Args[1], func(v *engine.Value) {
		n = len(v.Data)
		wrongType = v.Type != engine.TypeString
	})
	noteLookup(c, found)
	if wrongType {
		c.W.WriteError(ErrWrongType)
		return
	}
	c.W.WriteInt(int64(n))
}

func cmdIncr(c *Ctx) { incrDecr(c, 1) }

func cmdDecr(c *Ctx) { incrDecr(c, -1) }

func cmdIncrby(c *Ctx) {
	by, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	incrDecr(c, by)
}

func cmdDecrby(c *Ctx) {
	by, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	if by == math.MinInt64 { // cannot be negated
		c.W.WriteError("ERR decrement would overflow")
		return
	}
	incrDecr(c, -by)
}

// incrDecr adds by to the integer stored at the key (0 when absent),
// keeping its TTL.
func incrDecr(c *Ctx, by int64) {
	var result int64
	var msg string
	// The new value is formatted in the session's scratch space: Update
	// copies Data into the log before it returns.
	digits := c.Sess.scratch.digits[:0]
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		var v, expireAt int64
		if exists {
			if cur.Type != engine.TypeString {
				msg = ErrWrongType
				return engine.Write{Op: engine.Keep}
			}
			n, ok := redisnum.ParseInt(cur.Data)
			if !ok {
				msg = ErrNotInteger
				return engine.Write{Op: engine.Keep}
			}
			v, expireAt = n, cur.ExpireAt
		}
		if (by < 0 && v < 0 && by < math.MinInt64-v) || (by > 0 && v > 0 && by > math.MaxInt64-v) {
			msg = ErrOverflow
			return engine.Write{Op: engine.Keep}
		}
		result = v + by
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: strconv.AppendInt(digits, result, 10), ExpireAt: expireAt}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case msg != "":
		c.W.WriteError(msg)
	default:
		c.W.WriteInt(result)
	}
}

// cmdIncrbyfloat adds in long double precision and stores the sum as
// Redis prints it (see formatLongDouble), keeping the key's TTL.
func cmdIncrbyfloat(c *Ctx) {
	incr, incrOK := parseLongDouble(c.Args[2])
	var result []byte
	var msg string
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		value := newLongDouble()
		var expireAt int64
		if exists {
			if cur.Type != engine.TypeString {
				msg = ErrWrongType
				return engine.Write{Op: engine.Keep}
			}
			v, ok := parseLongDouble(cur.Data)
			if !ok {
				msg = ErrNotFloat
				return engine.Write{Op: engine.Keep}
			}
			value, expireAt = v, cur.ExpireAt
		}
		if !incrOK {
			msg = ErrNotFloat
			return engine.Write{Op: engine.Keep}
		}
		sum, ok := addLongDouble(value, incr)
		if !ok {
			msg = "ERR increment would produce NaN or Infinity"
			return engine.Write{Op: engine.Keep}
		}
		result = formatLongDouble(nil, sum)
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: result, ExpireAt: expireAt}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case msg != "":
		c.W.WriteError(msg)
	default:
		c.W.WriteBulk(result)
	}
}

// cmdGetrange is GETRANGE and its old name SUBSTR: both ends inclusive,
// negative indexes count from the end.
func cmdGetrange(c *Ctx) {
	start, ok1 := redisnum.ParseInt(c.Args[2])
	end, ok2 := redisnum.ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrNotInteger)
		return
	}
	var out []byte
	wrongType := false
	found := c.Srv.Engine.View(c.Sess.DB, c.Args[1], func(v *engine.Value) {
		if v.Type != engine.TypeString {
			wrongType = true
			return
		}
		if lo, hi, ok := stringRange(start, end, int64(len(v.Data))); ok {
			out = append(make([]byte, 0, hi-lo+1), v.Data[lo:hi+1]...)
		}
	})
	noteLookup(c, found)
	switch {
	case wrongType:
		c.W.WriteError(ErrWrongType)
	default:
		c.W.WriteBulk(out) // nil is the empty string
	}
}

// stringRange clamps GETRANGE's start and end to a string of n bytes; ok
// is false when the range is empty.
func stringRange(start, end, n int64) (int64, int64, bool) {
	if start < 0 && end < 0 && start > end {
		return 0, 0, false
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return 0, 0, false
	}
	return start, end, true
}

func cmdSetrange(c *Ctx) {
	offset, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	if offset < 0 {
		c.W.WriteError("ERR offset is out of range")
		return
	}
	patch := c.Args[3]
	limit := c.Srv.Config().ProtoMaxBulkLen
	var length int64
	var msg string
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		var old []byte
		var expireAt int64
		if exists {
			if cur.Type != engine.TypeString {
				msg = ErrWrongType
				return engine.Write{Op: engine.Keep}
			}
			old, expireAt = cur.Data, cur.ExpireAt
		}
		length = int64(len(old))
		if len(patch) == 0 { // nothing to write: the length as it is
			return engine.Write{Op: engine.Keep}
		}
		if stringTooLong(limit, offset, int64(len(patch))) {
			msg = ErrStringTooLong
			return engine.Write{Op: engine.Keep}
		}
		val := make([]byte, max(int64(len(old)), offset+int64(len(patch))))
		copy(val, old)
		copy(val[offset:], patch)
		length = int64(len(val))
		return engine.Write{Op: engine.Put, Type: engine.TypeString, Data: val, ExpireAt: expireAt}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case msg != "":
		c.W.WriteError(msg)
	default:
		c.W.WriteInt(length)
	}
}
