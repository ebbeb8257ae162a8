package commands

import (
	"math"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

func cmdExpire(c *Ctx)    { expireGeneric(c, c.Srv.Engine.Now(), true) }
func cmdPexpire(c *Ctx)   { expireGeneric(c, c.Srv.Engine.Now(), false) }
func cmdExpireat(c *Ctx)  { expireGeneric(c, 0, true) }
func cmdPexpireat(c *Ctx) { expireGeneric(c, 0, false) }

// EXPIRE's NX/XX/GT/LT options.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireOptions reads EXPIRE's options; it returns the error reply,
// "" when they are fine.
func parseExpireOptions(args [][]byte) (int, string) {
	flags := 0
	for _, opt := range args {
		switch {
		case keywordIs(opt, "nx"):
			flags |= expireNX
		case keywordIs(opt, "xx"):
			flags |= expireXX
		case keywordIs(opt, "gt"):
			flags |= expireGT
		case keywordIs(opt, "lt"):
			flags |= expireLT
		default:
			return 0, sanitizeError("ERR Unsupported option " + string(truncate(opt, len(opt))))
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		return 0, "ERR NX and XX, GT or LT options at the same time are not compatible"
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		return 0, "ERR GT and LT options at the same time are not compatible"
	}
	return flags, ""
}

// expireGeneric is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: base is the
// time the argument is relative to (now, or 0 for the AT forms). A time in
// the past deletes the key; an argument whose conversion to an absolute
// Unix-ms time overflows is an error even when the key does not exist.
func expireGeneric(c *Ctx, base int64, seconds bool) {
	flags, msg := parseExpireOptions(c.Args[3:])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	when, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.W.WriteError(invalidExpire(c.Cmd.FullName()))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.W.WriteError(invalidExpire(c.Cmd.FullName()))
		return
	}
	when += base
	now := c.Srv.Engine.Now()
	applied := false
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		if !exists {
			return engine.Write{Op: engine.Keep}
		}
		hasTTL := cur.ExpireAt != 0
		switch {
		case flags&expireNX != 0 && hasTTL,
			flags&expireXX != 0 && !hasTTL,
			flags&expireGT != 0 && (!hasTTL || when <= cur.ExpireAt), // no TTL is an infinite one
			flags&expireLT != 0 && hasTTL && when >= cur.ExpireAt:
			return engine.Write{Op: engine.Keep}
		}
		applied = true
		if when <= now {
			return engine.Write{Op: engine.Delete}
		}
		return engine.Write{Op: engine.Touch, ExpireAt: when}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case applied:
		if when <= now { // keyspace notifications
			c.notify(config.EventsGeneric, "del", c.Args[1])
		} else {
			c.notify(config.EventsGeneric, "expire", c.Args[1])
		}
		c.W.WriteInt(1)
	default:
		c.W.WriteInt(0)
	}
}

func cmdTtl(c *Ctx)         { ttlGeneric(c, false, false) }
func cmdPttl(c *Ctx)        { ttlGeneric(c, true, false) }
func cmdExpiretime(c *Ctx)  { ttlGeneric(c, false, true) }
func cmdPexpiretime(c *Ctx) { ttlGeneric(c, true, true) }

// ttlGeneric is TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing
// key, -1 for one without a TTL, else the time left (or the deadline when
// absolute), with seconds rounded to the nearest as Redis does.
func ttlGeneric(c *Ctx, ms, absolute bool) {
	var expireAt int64
	found := c.Srv.Engine.Peek(c.Sess.DB, c.Args[1], func(v *engine.Value) { expireAt = v.ExpireAt })
	noteLookup(c, found)
	switch {
	case !found:
		c.W.WriteInt(-2)
		return
	case expireAt == 0:
		c.W.WriteInt(-1)
		return
	}
	t := expireAt
	if !absolute {
		t = max(expireAt-c.Srv.Engine.Now(), 0)
	}
	if !ms {
		t = t/1000 + (t%1000+500)/1000 // (t+500)/1000 without overflow
	}
	c.W.WriteInt(t)
}

func cmdPersist(c *Ctx) {
	removed := false
	err := c.Srv.Engine.Update(c.Sess.DB, c.Args[1], func(cur *engine.Value, exists bool) engine.Write {
		if !exists || cur.ExpireAt == 0 {
			return engine.Write{Op: engine.Keep}
		}
		removed = true
		return engine.Write{Op: engine.Touch, ExpireAt: 0}
	})
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
	case removed:
		c.W.WriteInt(1)
	default:
		c.W.WriteInt(0)
	}
}
