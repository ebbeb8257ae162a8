package commands

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/glob"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// zpopShape is how a pop's reply is laid out, as the flags of Redis's
// genericZpopCommand:
//
//	ZPOPMIN k / RESP2 ZPOPMIN k n   [m1, s1, m2, s2...]
//	RESP3 ZPOPMIN k n               [[m1, s1], [m2, s2]...]
//	BZPOPMIN                        [key, m1, s1]           (emitKey)
//	ZMPOP, BZMPOP                   [key, [[m1, s1]...]]    (emitKey, nested)
type zpopShape struct {
	emitKey bool
	nested  bool
}

// zpopFirst pops from the first of keys that exists, atomically over all
// of them: up to count elements (count < 0: one) with the lowest scores,
// or the highest when max. It writes the reply and returns true when some
// key existed; the first existing key holding another type answers
// WRONGTYPE, and a count of 0 an empty array. When no key exists it
// writes nothing and returns false, so that the caller answers its empty
// reply or, for the blocking variants, blocks.
func zpopFirst(c *Ctx, keys [][]byte, max bool, count int64, shape zpopShape) bool {
	refs := make([]engine.CollRef, len(keys))
	for i, k := range keys {
		refs[i] = engine.CollRef{DB: c.DB(), Key: k, Type: engine.TypeZSet}
	}
	served := false
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		for i, z := range cs {
			if z.WrongType() {
				return engine.ErrWrongType
			}
			if !z.Exists() {
				continue
			}
			served = true
			if count == 0 {
				c.W.WriteArray(0)
				return nil
			}
			n := z.Len()
			if count > 0 && count < int64(n) {
				n = int(count)
			} else if count < 0 {
				n = 1
			}
			switch {
			case !shape.emitKey && !shape.nested:
				c.W.WriteArray(2 * n)
			case !shape.emitKey:
				c.W.WriteArray(n)
			case !shape.nested:
				c.W.WriteArray(2*n + 1)
				c.W.WriteBulk(keys[i])
			default:
				c.W.WriteArray(2)
				c.W.WriteBulk(keys[i])
				c.W.WriteArray(n)
			}
			var buf []byte
			for ; n > 0; n-- {
				at := 0
				if max {
					at = z.Len() - 1
				}
				var score float64
				buf, score = z.ZRemoveAt(at, buf[:0])
				if shape.nested {
					c.W.WriteArray(2)
				}
				c.W.WriteBulk(buf)
				c.W.WriteDouble(score)
			}
			return nil
		}
		return nil
	})
	if err != nil {
		writeZsetErr(c, err)
		return true
	}
	return served
}

func cmdZpopmin(c *Ctx) { zpopMinMax(c, false) }
func cmdZpopmax(c *Ctx) { zpopMinMax(c, true) }

// zpopMinMax is ZPOPMIN/ZPOPMAX key [count]. Without a count the reply is
// flat in both protocols; with one, RESP3 gets pairs.
func zpopMinMax(c *Ctx, max bool) {
	if len(c.Args) > 3 {
		c.W.WriteError(ErrSyntax)
		return
	}
	count := int64(-1)
	if len(c.Args) == 3 {
		v, ok := redisnum.ParseInt(c.Args[2])
		if !ok || v < 0 {
			c.W.WriteError(errZPositive)
			return
		}
		count = v
	}
	shape := zpopShape{nested: c.Sess.Proto >= 3 && count != -1}
	if !zpopFirst(c, c.Args[1:2], max, count, shape) {
		c.W.WriteArray(0)
	}
}

// parseZmpop parses "numkeys key... MIN|MAX [COUNT count]" starting at
// args[numkeysAt] (1 for ZMPOP, 2 for BZMPOP) as Redis's
// zmpopGenericCommand. It returns the error reply, "" if none; count is 1
// when not given.
func parseZmpop(args [][]byte, numkeysAt int) (keys [][]byte, max bool, count int64, msg string) {
	numkeys, ok := redisnum.ParseInt(args[numkeysAt])
	if !ok || numkeys < 1 {
		return nil, false, 0, "ERR numkeys should be greater than 0"
	}
	if numkeys >= int64(len(args)-numkeysAt-1) {
		return nil, false, 0, ErrSyntax
	}
	whereAt := numkeysAt + int(numkeys) + 1
	switch {
	case keywordIs(args[whereAt], "min"):
	case keywordIs(args[whereAt], "max"):
		max = true
	default:
		return nil, false, 0, ErrSyntax
	}
	count = -1
	for j := whereAt + 1; j < len(args); j++ {
		if count == -1 && keywordIs(args[j], "count") && j+1 < len(args) {
			j++
			if count, ok = redisnum.ParseInt(args[j]); !ok || count < 1 {
				return nil, false, 0, "ERR count should be greater than 0"
			}
			continue
		}
		return nil, false, 0, ErrSyntax
	}
	if count == -1 {
		count = 1
	}
	return args[numkeysAt+1 : whereAt], max, count, ""
}

// cmdZmpop is ZMPOP numkeys key... MIN|MAX [COUNT count]: a null array
// when every key is missing.
func cmdZmpop(c *Ctx) {
	keys, max, count, msg := parseZmpop(c.Args, 1)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	if !zpopFirst(c, keys, max, count, zpopShape{emitKey: true, nested: true}) {
		c.W.WriteNullArray()
	}
}

// zrandMaxCount bounds the elements of a ZRANDMEMBER with a negative
// count. Redis would stream them all; past the output buffer limit the
// connection is closed anyway, and the bound keeps an absurd count from
// holding the shard lock for minutes.
const zrandMaxCount = 1 << 28

// cmdZrandmember is ZRANDMEMBER key [count [WITHSCORES]], as Redis's
// zrandmemberCommand: a negative count may repeat members, a positive one
// does not and, when it covers the whole set, returns it from the
// highest rank down.
func cmdZrandmember(c *Ctx) {
	if len(c.Args) == 2 {
		zsetRead(c, c.Args[1], zsetNull(c), func(z *engine.Coll) error {
			m, _ := z.ZAt(rand.IntN(z.Len()))
			c.W.WriteBulk(m)
			return nil
		})
		return
	}
	l, ok := redisnum.ParseInt(c.Args[2])
	switch {
	case !ok:
		c.W.WriteError(ErrNotInteger)
		return
	case l == math.MinInt64:
		c.W.WriteError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	case len(c.Args) > 4 || (len(c.Args) == 4 && !keywordIs(c.Args[3], "withscores")):
		c.W.WriteError(ErrSyntax)
		return
	}
	withScores := len(c.Args) == 4
	if withScores && (l < -math.MaxInt64/2 || l > math.MaxInt64/2) {
		c.W.WriteError("ERR value is out of range")
		return
	}
	zsetRead(c, c.Args[1], func() { c.W.WriteArray(0) }, func(z *engine.Coll) error {
		size := z.Len()
		zw := newZpairWriter(c, withScores)
		switch {
		case l == 0:
			c.W.WriteArray(0)
		case l < 0 || l == 1:
			n := int(min(-l, zrandMaxCount))
			if l == 1 {
				n = 1
			}
			zw.begin(n)
			for ; n > 0; n-- {
				zw.elem(z.ZAt(rand.IntN(size)))
			}
		case l >= int64(size):
			zw.begin(size)
			z.ZDescend(size-1, func(_ int, m []byte, s float64) bool {
				zw.elem(m, s)
				return true
			})
		default:
			zw.begin(int(l))
			for _, rank := range zrandRanks(size, int(l)) {
				zw.elem(z.ZAt(rank))
			}
		}
		return nil
	})
}

// zrandRanks picks n distinct ranks out of size (0 < n < size) in random
// order.
func zrandRanks(size, n int) []int {
	if n*3 > size {
		perm := make([]int, size)
		for i := range perm {
			perm[i] = i
		}
		for i := 0; i < n; i++ {
			j := i + rand.IntN(size-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		return perm[:n]
	}
	seen := make(map[int]struct{}, n)
	out := make([]int, 0, n)
	for len(out) < n {
		r := rand.IntN(size)
		if _, dup := seen[r]; !dup {
			seen[r] = struct{}{}
			out = append(out, r)
		}
	}
	return out
}

// cmdZscan is ZSCAN key cursor [MATCH pattern] [COUNT count]. Like Redis,
// a sorted set small enough to be a listpack comes back whole, in rank
// order, with cursor 0; a larger one is scanned in hash order with the
// engine's cursor. Scores are strings, formatted as Redis stores them
// (see appendZScanScore). Options are read only once the key is known to
// be a sorted set, as in Redis.
func cmdZscan(c *Ctx) {
	cursor, ok := parseScanCursor(c.Args[2])
	if !ok {
		c.W.WriteError("ERR invalid cursor")
		return
	}
	cfg := c.Srv.Config()
	emptyScan := func() {
		c.W.WriteArray(2)
		c.W.WriteBulkString("0")
		c.W.WriteArray(0)
	}
	zsetRead(c, c.Args[1], emptyScan, func(z *engine.Coll) error {
		count := int64(10)
		var pattern []byte
		for i := 3; i < len(c.Args); i += 2 {
			opt := c.Args[i]
			hasValue := i+1 < len(c.Args)
			switch {
			case keywordIs(opt, "count") && hasValue:
				n, ok := redisnum.ParseInt(c.Args[i+1])
				if !ok {
					return zsetErr(ErrNotInteger)
				}
				if n < 1 {
					return zsetErr(ErrSyntax)
				}
				count = n
			case keywordIs(opt, "match") && hasValue:
				pattern = c.Args[i+1]
				if len(pattern) == 1 && pattern[0] == '*' {
					pattern = nil
				}
			default:
				return zsetErr(ErrSyntax)
			}
		}
		listpack := zsetListpack(&cfg, z)
		var out zscanOut
		keep := func(m []byte, s float64) {
			if pattern == nil || glob.Match(pattern, m) {
				out.add(m, s, listpack)
			}
		}
		var next uint64
		if listpack {
			z.ZAscend(0, func(_ int, m []byte, s float64) bool {
				keep(m, s)
				return true
			})
		} else {
			next = z.ZScan(cursor, int(min(count, 1<<30)), keep)
		}
		c.W.WriteArray(2)
		c.W.WriteBulk(strconv.AppendUint(nil, next, 10))
		c.W.WriteArray(len(out.ends))
		start := 0
		for _, end := range out.ends {
			c.W.WriteBulk(out.buf[start:end])
			start = end
		}
		return nil
	})
}

// zscanOut collects ZSCAN's member and score strings in one buffer.
type zscanOut struct {
	buf  []byte
	ends []int
}

func (o *zscanOut) add(member []byte, score float64, listpack bool) {
	o.buf = append(o.buf, member...)
	o.ends = append(o.ends, len(o.buf))
	o.buf = appendZScanScore(o.buf, score, listpack)
	o.ends = append(o.ends, len(o.buf))
}
