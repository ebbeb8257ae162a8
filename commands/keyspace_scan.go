package commands

import (
	"strconv"

	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/glob"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// scanKey is a key SCAN or KEYS collected, copied out of engine memory.
type scanKey struct {
	key []byte
	typ engine.Type
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The
// cursor is the engine's position in hash order (see engine.Scan), so its
// values differ from Redis's, but the guarantees are the same: a full
// iteration returns every key that existed throughout it, and MATCH and
// TYPE filter after the keys are collected, so a page may be empty while
// the cursor is not yet 0.
func cmdScan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[1])
	if !ok {
		c.W.WriteError("ERR invalid cursor")
		return
	}
	count := int64(10)
	var pattern, typeName []byte
	for i := 2; i < len(c.Args); i += 2 {
		opt := c.Args[i]
		hasValue := i+1 < len(c.Args)
		switch {
		case keywordIs(opt, "count") && hasValue:
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
		case keywordIs(opt, "match") && hasValue:
			pattern = c.Args[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil // matches everything
			}
		case keywordIs(opt, "type") && hasValue:
			typeName = c.Args[i+1]
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	// Engine cursors are far below 2^63, so any count beyond that is
	// "everything" anyway.
	var found []scanKey
	next := c.Srv.Engine.Scan(c.Sess.DB, cursor, int(min(count, 1<<30)), func(key []byte, t engine.Type) {
		found = append(found, scanKey{append([]byte(nil), key...), t})
	})
	keys := found[:0]
	for _, k := range found {
		if typeName != nil && !keywordIs(typeName, k.typ.String()) {
			continue
		}
		if pattern != nil && !glob.Match(pattern, k.key) {
			continue
		}
		keys = append(keys, k)
	}
	c.W.WriteArray(2)
	c.W.WriteBulk(strconv.AppendUint(nil, next, 10))
	c.W.WriteArray(len(keys))
	for _, k := range keys {
		c.W.WriteBulk(k.key)
	}
}

// cmdKeys is KEYS pattern: every live key that matches, in no particular
// order. It runs a full engine scan; a key the scan meets twice (the
// engine promises "at least once" across concurrent resizes) is
// reported once.
func cmdKeys(c *Ctx) {
	pattern := c.Args[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	var keys [][]byte
	seen := make(map[string]struct{})
	var cursor uint64
	for {
		cursor = c.Srv.Engine.Scan(c.Sess.DB, cursor, 1024, func(key []byte, _ engine.Type) {
			if !all && !glob.Match(pattern, key) {
				return
			}
			if _, dup := seen[string(key)]; dup {
				return
			}
			k := append([]byte(nil), key...)
			seen[string(k)] = struct{}{}
			keys = append(keys, k)
		})
		if cursor == 0 {
			break
		}
	}
	c.W.WriteArray(len(keys))
	for _, k := range keys {
		c.W.WriteBulk(k)
	}
}
