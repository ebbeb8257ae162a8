package commands

import (
	"math"

	"github.com/nebredis/nebredis/engine"
)

// ZADD's options, as Redis's ZADD_IN_* flags.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

func cmdZadd(c *Ctx)    { zaddGeneric(c, 0) }
func cmdZincrby(c *Ctx) { zaddGeneric(c, zaddIncr) }

// zaddGeneric is ZADD and ZINCRBY (ZADD with INCR), as Redis's
// zaddGenericCommand: options come first and end at the first argument
// that is not one (so "ZINCRBY k nx m" reads NX and fails on the pairs);
// every score is parsed before the key is looked at.
func zaddGeneric(c *Ctx, flags int) {
	i := 2
options:
	for ; i < len(c.Args); i++ {
		opt := c.Args[i]
		switch {
		case keywordIs(opt, "nx"):
			flags |= zaddNX
		case keywordIs(opt, "xx"):
			flags |= zaddXX
		case keywordIs(opt, "ch"):
			flags |= zaddCH
		case keywordIs(opt, "incr"):
			flags |= zaddIncr
		case keywordIs(opt, "gt"):
			flags |= zaddGT
		case keywordIs(opt, "lt"):
			flags |= zaddLT
		default:
			break options
		}
	}
	pairs := c.Args[i:]
	nx, xx, gt, lt := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0
	incr := flags&zaddIncr != 0
	switch {
	case len(pairs) == 0 || len(pairs)%2 != 0:
		c.W.WriteError(ErrSyntax)
		return
	case nx && xx:
		c.W.WriteError("ERR XX and NX options at the same time are not compatible")
		return
	case (gt && nx) || (lt && nx) || (gt && lt):
		c.W.WriteError("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	case incr && len(pairs) > 2:
		c.W.WriteError("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, len(pairs)/2)
	for j := range scores {
		v, ok := parseZScore(pairs[2*j])
		if !ok {
			c.W.WriteError(ErrNotFloat)
			return
		}
		scores[j] = v
	}
	var added, updated, processed int64
	var last float64
	err := c.Srv.Engine.Collection(c.DB(), c.Args[1], engine.TypeZSet, func(z *engine.Coll) error {
		if z.WrongType() {
			return engine.ErrWrongType
		}
		if !z.Exists() && xx {
			return nil
		}
		for j, score := range scores {
			member := pairs[2*j+1]
			cur, exists := z.ZScore(member)
			switch {
			case exists:
				if nx {
					continue
				}
				if incr {
					score += cur
					if math.IsNaN(score) {
						return zsetErr(errZNaN)
					}
				}
				if (lt && score >= cur) || (gt && score <= cur) {
					continue
				}
				processed++
				last = score
				if score != cur {
					if _, err := zsetStore(c, z, member, score); err != nil {
						return err
					}
					updated++
				}
			case !xx:
				if _, err := zsetStore(c, z, member, score); err != nil {
					return err
				}
				added++
				processed++
				last = score
			}
		}
		return nil
	})
	if added > 0 {
		c.Srv.signalKeyReady(c.DB(), c.Args[1])
	}
	switch {
	case err != nil:
		writeZsetErr(c, err)
	case incr && processed > 0:
		c.W.WriteDouble(last)
	case incr:
		c.W.WriteNull()
	case flags&zaddCH != 0:
		c.W.WriteInt(added + updated)
	default:
		c.W.WriteInt(added)
	}
}

// zsetRead runs fn on the sorted set at key for a read command: it counts
// the keyspace hit or miss, answers WRONGTYPE for another type and
// missing() for a missing key, and otherwise leaves the reply to fn
// (which may return a zsetErr instead of writing).
func zsetRead(c *Ctx, key []byte, missing func(), fn func(z *engine.Coll) error) {
	zsetDo(c, key, true, missing, fn)
}

// zsetWrite is zsetRead for a write command (no keyspace statistics).
func zsetWrite(c *Ctx, key []byte, missing func(), fn func(z *engine.Coll) error) {
	zsetDo(c, key, false, missing, fn)
}

func zsetDo(c *Ctx, key []byte, read bool, missing func(), fn func(z *engine.Coll) error) {
	err := c.Srv.Engine.Collection(c.DB(), key, engine.TypeZSet, func(z *engine.Coll) error {
		if read {
			noteLookup(c, z.Exists() || z.WrongType())
		}
		switch {
		case z.WrongType():
			return engine.ErrWrongType
		case !z.Exists():
			missing()
			return nil
		}
		return fn(z)
	})
	if err != nil {
		writeZsetErr(c, err)
	}
}

// zsetZero and zsetNull are zsetRead's answers for a missing key.
func zsetZero(c *Ctx) func() { return func() { c.W.WriteInt(0) } }
func zsetNull(c *Ctx) func() { return c.W.WriteNull }

func cmdZrem(c *Ctx) {
	zsetWrite(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		var n int64
		for _, m := range c.Args[2:] {
			if z.Delete(m) {
				n++
			}
		}
		c.W.WriteInt(n)
		return nil
	})
}

func cmdZcard(c *Ctx) {
	zsetRead(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		c.W.WriteInt(int64(z.Len()))
		return nil
	})
}

func cmdZscore(c *Ctx) {
	zsetRead(c, c.Args[1], zsetNull(c), func(z *engine.Coll) error {
		if s, ok := z.ZScore(c.Args[2]); ok {
			c.W.WriteDouble(s)
		} else {
			c.W.WriteNull()
		}
		return nil
	})
}

// cmdZmscore answers one score or null per member; a missing key is an
// empty sorted set.
func cmdZmscore(c *Ctx) {
	members := c.Args[2:]
	missing := func() {
		c.W.WriteArray(len(members))
		for range members {
			c.W.WriteNull()
		}
	}
	zsetRead(c, c.Args[1], missing, func(z *engine.Coll) error {
		c.W.WriteArray(len(members))
		for _, m := range members {
			if s, ok := z.ZScore(m); ok {
				c.W.WriteDouble(s)
			} else {
				c.W.WriteNull()
			}
		}
		return nil
	})
}

func cmdZrank(c *Ctx)    { zrankGeneric(c, false) }
func cmdZrevrank(c *Ctx) { zrankGeneric(c, true) }

// zrankGeneric is ZRANK and ZREVRANK. It also reads Redis 7.2's
// WITHSCORE (the rank and the score as a pair, a null array when the
// member is missing), which the 7.0 rows' arity of 3 does not let through
// yet: COMMAND INFO has to match 7.0 until the table moves to 7.2.
func zrankGeneric(c *Ctx, rev bool) {
	withScore := false
	if len(c.Args) > 4 {
		c.W.WriteError(WrongArgs(c.Cmd.FullName()))
		return
	}
	if len(c.Args) == 4 {
		if !keywordIs(c.Args[3], "withscore") {
			c.W.WriteError(ErrSyntax)
			return
		}
		withScore = true
	}
	none := zsetNull(c)
	if withScore {
		none = c.W.WriteNullArray
	}
	zsetRead(c, c.Args[1], none, func(z *engine.Coll) error {
		rank, ok := z.ZRank(c.Args[2])
		if !ok {
			none()
			return nil
		}
		if rev {
			rank = z.Len() - 1 - rank
		}
		if !withScore {
			c.W.WriteInt(int64(rank))
			return nil
		}
		s, _ := z.ZScore(c.Args[2])
		c.W.WriteArray(2)
		c.W.WriteInt(int64(rank))
		c.W.WriteDouble(s)
		return nil
	})
}

// zpairWriter writes sorted-set elements as Redis's zrange result
// handler does: members alone, or with scores a flat member/score array
// in RESP2 and [member, score] pairs in RESP3.
type zpairWriter struct {
	w              Writer
	scores, nested bool
}

func newZpairWriter(c *Ctx, scores bool) zpairWriter {
	return zpairWriter{w: c.W, scores: scores, nested: scores && c.Sess.Proto >= 3}
}

// begin writes the header of an n-element reply.
func (zw zpairWriter) begin(n int) {
	if zw.scores && !zw.nested {
		n *= 2
	}
	zw.w.WriteArray(n)
}

func (zw zpairWriter) elem(member []byte, score float64) {
	if zw.nested {
		zw.w.WriteArray(2)
	}
	zw.w.WriteBulk(member)
	if zw.scores {
		zw.w.WriteDouble(score)
	}
}
