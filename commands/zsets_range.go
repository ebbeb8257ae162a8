package commands

import (
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// zrangeKind is how a range names its elements. zrangeAuto is ZRANGE's
// and ZRANGESTORE's: by rank unless BYSCORE or BYLEX says otherwise.
type zrangeKind int

const (
	zrangeAuto zrangeKind = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

// zrangeDir is a range's direction; zdirAuto lets REV choose.
type zrangeDir int

const (
	zdirAuto zrangeDir = iota
	zdirForward
	zdirReverse
)

// zrangeQuery is a parsed ZRANGE-family request.
type zrangeQuery struct {
	kind          zrangeKind
	rev           bool
	start, stop   int64 // by rank
	score         zScoreRange
	lex           zLexRange // aliases the arguments
	offset, limit int64     // LIMIT; a negative limit takes everything
	withScores    bool
}

// parseZrange parses args (key, min, max, options...) as Redis's
// zrangeGenericCommand: options first (WITHSCORES unless storing, LIMIT,
// REV and BYSCORE/BYLEX where the command leaves them open), then the
// conflicts, then the range itself, which REV with BYSCORE or BYLEX gives
// as max, min. It returns the error reply, "" if none.
func parseZrange(args [][]byte, kind zrangeKind, dir zrangeDir, store bool) (zrangeQuery, string) {
	q := zrangeQuery{limit: -1}
	for j := 3; j < len(args); j++ {
		opt := args[j]
		switch {
		case !store && keywordIs(opt, "withscores"):
			q.withScores = true
		case keywordIs(opt, "limit") && len(args)-j-1 >= 2:
			off, ok := redisnum.ParseInt(args[j+1])
			if !ok {
				return q, ErrNotInteger
			}
			lim, ok := redisnum.ParseInt(args[j+2])
			if !ok {
				return q, ErrNotInteger
			}
			q.offset, q.limit = off, lim
			j += 2
		case dir == zdirAuto && keywordIs(opt, "rev"):
			dir = zdirReverse
		case kind == zrangeAuto && keywordIs(opt, "bylex"):
			kind = zrangeLex
		case kind == zrangeAuto && keywordIs(opt, "byscore"):
			kind = zrangeScore
		default:
			return q, ErrSyntax
		}
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	q.kind, q.rev = kind, dir == zdirReverse
	switch {
	case q.limit != -1 && kind == zrangeRank:
		return q, "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	case q.withScores && kind == zrangeLex:
		return q, "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	}
	min, max := args[1], args[2]
	if q.rev && kind != zrangeRank {
		min, max = max, min
	}
	var ok bool
	switch kind {
	case zrangeRank:
		if q.start, ok = redisnum.ParseInt(min); !ok {
			return q, ErrNotInteger
		}
		if q.stop, ok = redisnum.ParseInt(max); !ok {
			return q, ErrNotInteger
		}
	case zrangeScore:
		if q.score, ok = parseZScoreRange(min, max); !ok {
			return q, errZRangeFloat
		}
	case zrangeLex:
		if q.lex, ok = parseZLexRange(min, max); !ok {
			return q, errZRangeLex
		}
	}
	return q, ""
}

// zrankSpan clamps the rank range [start, stop] (negative counts from the
// end) to a sorted set of n elements as Redis does; ok is false when it is
// empty.
func zrankSpan(start, stop int64, n int) (int, int, bool) {
	if start < 0 {
		start += int64(n)
	}
	if stop < 0 {
		stop += int64(n)
	}
	start = max(start, 0)
	if start > stop || start >= int64(n) {
		return 0, 0, false
	}
	stop = min(stop, int64(n)-1)
	return int(start), int(stop), true
}

// span returns the rank of the first element q selects in z and how many
// there are; they run toward lower ranks when q.rev.
func (q *zrangeQuery) span(z *engine.Coll) (first, n int) {
	if q.kind == zrangeRank {
		start, stop, ok := zrankSpan(q.start, q.stop, z.Len())
		if !ok {
			return 0, 0
		}
		if q.rev {
			return z.Len() - 1 - start, stop - start + 1
		}
		return start, stop - start + 1
	}
	var s, e int
	if q.kind == zrangeScore {
		s, e = q.score.ranks(z)
	} else {
		s, e = q.lex.ranks(z)
	}
	total := int64(e - s)
	if q.offset < 0 || q.offset >= total {
		return 0, 0
	}
	n64 := total - q.offset
	if q.limit >= 0 && q.limit < n64 {
		n64 = q.limit
	}
	if q.rev {
		return e - 1 - int(q.offset), int(n64)
	}
	return s + int(q.offset), int(n64)
}

// zrangeEach visits the n elements from rank first, downward when rev.
func zrangeEach(z *engine.Coll, first, n int, rev bool, fn func(member []byte, score float64)) {
	if n <= 0 {
		return
	}
	k := 0
	visit := func(_ int, member []byte, score float64) bool {
		fn(member, score)
		k++
		return k < n
	}
	if rev {
		z.ZDescend(first, visit)
	} else {
		z.ZAscend(first, visit)
	}
}

func cmdZrange(c *Ctx)           { zrangeGeneric(c, zrangeAuto, zdirAuto) }
func cmdZrevrange(c *Ctx)        { zrangeGeneric(c, zrangeRank, zdirReverse) }
func cmdZrangebyscore(c *Ctx)    { zrangeGeneric(c, zrangeScore, zdirForward) }
func cmdZrevrangebyscore(c *Ctx) { zrangeGeneric(c, zrangeScore, zdirReverse) }
func cmdZrangebylex(c *Ctx)      { zrangeGeneric(c, zrangeLex, zdirForward) }
func cmdZrevrangebylex(c *Ctx)   { zrangeGeneric(c, zrangeLex, zdirReverse) }

// zrangeGeneric answers a ZRANGE-family read, writing from engine memory.
func zrangeGeneric(c *Ctx, kind zrangeKind, dir zrangeDir) {
	q, msg := parseZrange(c.Args[1:], kind, dir, false)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	zsetRead(c, c.Args[1], func() { c.W.WriteArray(0) }, func(z *engine.Coll) error {
		first, n := q.span(z)
		zw := newZpairWriter(c, q.withScores)
		zw.begin(n)
		zrangeEach(z, first, n, q.rev, zw.elem)
		return nil
	})
}

// zelems is a list of sorted-set elements copied out of engine memory
// into one buffer.
type zelems struct {
	buf    []byte
	ends   []int
	scores []float64
}

func (e *zelems) add(member []byte, score float64) {
	e.buf = append(e.buf, member...)
	e.ends = append(e.ends, len(e.buf))
	e.scores = append(e.scores, score)
}

func (e *zelems) len() int { return len(e.ends) }

func (e *zelems) at(i int) ([]byte, float64) {
	start := 0
	if i > 0 {
		start = e.ends[i-1]
	}
	return e.buf[start:e.ends[i]], e.scores[i]
}

// cmdZrangestore is ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV]
// [LIMIT offset count]: the range replaces dst whatever it held; an empty
// one deletes dst. The source is read before dst is reset, so the two may
// be the same key.
func cmdZrangestore(c *Ctx) {
	q, msg := parseZrange(c.Args[2:], zrangeAuto, zdirAuto, true)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	refs := []engine.CollRef{
		{DB: c.DB(), Key: c.Args[2], Type: engine.TypeZSet},
		{DB: c.DB(), Key: c.Args[1], Type: engine.TypeZSet},
	}
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		src, dst := cs[0], cs[1]
		noteLookup(c, src.Exists() || src.WrongType())
		if src.WrongType() {
			return engine.ErrWrongType
		}
		var got zelems
		first, n := q.span(src)
		zrangeEach(src, first, n, q.rev, got.add)
		dst.Reset()
		for i := 0; i < got.len(); i++ {
			m, s := got.at(i)
			if _, err := zsetStore(c, dst, m, s); err != nil {
				return err
			}
		}
		c.W.WriteInt(int64(got.len()))
		return nil
	})
	if err != nil {
		writeZsetErr(c, err)
	}
}

func cmdZcount(c *Ctx) {
	r, ok := parseZScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.W.WriteError(errZRangeFloat)
		return
	}
	zsetRead(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		s, e := r.ranks(z)
		c.W.WriteInt(int64(e - s))
		return nil
	})
}

func cmdZlexcount(c *Ctx) {
	r, ok := parseZLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.W.WriteError(errZRangeLex)
		return
	}
	zsetRead(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		s, e := r.ranks(z)
		c.W.WriteInt(int64(e - s))
		return nil
	})
}

// zremoveRange removes the n elements from rank start on.
func zremoveRange(z *engine.Coll, start, n int) {
	var scratch [64]byte
	for i := 0; i < n; i++ {
		z.ZRemoveAt(start, scratch[:0])
	}
}

func cmdZremrangebyrank(c *Ctx) {
	start, ok1 := redisnum.ParseInt(c.Args[2])
	stop, ok2 := redisnum.ParseInt(c.Args[3])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrNotInteger)
		return
	}
	zsetWrite(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		s, e, ok := zrankSpan(start, stop, z.Len())
		if !ok {
			c.W.WriteInt(0)
			return nil
		}
		zremoveRange(z, s, e-s+1)
		c.W.WriteInt(int64(e - s + 1))
		return nil
	})
}

func cmdZremrangebyscore(c *Ctx) {
	r, ok := parseZScoreRange(c.Args[2], c.Args[3])
	if !ok {
		c.W.WriteError(errZRangeFloat)
		return
	}
	zsetWrite(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		s, e := r.ranks(z)
		zremoveRange(z, s, e-s)
		c.W.WriteInt(int64(e - s))
		return nil
	})
}

func cmdZremrangebylex(c *Ctx) {
	r, ok := parseZLexRange(c.Args[2], c.Args[3])
	if !ok {
		c.W.WriteError(errZRangeLex)
		return
	}
	zsetWrite(c, c.Args[1], zsetZero(c), func(z *engine.Coll) error {
		s, e := r.ranks(z)
		zremoveRange(z, s, e-s)
		c.W.WriteInt(int64(e - s))
		return nil
	})
}
