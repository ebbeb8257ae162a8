package commands

import (
	"math"
	"sort"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// The multi-key sorted-set operations: ZUNION, ZINTER, ZDIFF, their
// *STORE forms and ZINTERCARD, as Redis's zunionInterDiffGenericCommand.
// Inputs may be sorted sets or sets (whose members score 1); each input
// key is opened twice in one engine.Collections call, as a sorted set and
// as a set, and whichever exists is used, so the whole command runs under
// the keys' locks.

type zsetOp int

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

type zaggr int

const (
	zaggrSum zaggr = iota
	zaggrMin
	zaggrMax
)

// zaggregate folds val into *target as Redis's zunionInterAggregate: a
// sum that is NaN (inf + -inf) becomes 0.
func zaggregate(target *float64, val float64, a zaggr) {
	switch a {
	case zaggrSum:
		*target += val
		if math.IsNaN(*target) {
			*target = 0
		}
	case zaggrMin:
		if val < *target {
			*target = val
		}
	case zaggrMax:
		if val > *target {
			*target = val
		}
	}
}

// zsrc is one input: a sorted set, a set, or a missing key (both nil).
type zsrc struct {
	z, s   *engine.Coll
	weight float64
}

func (src *zsrc) len() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

// each visits every element until fn returns false.
func (src *zsrc) each(fn func(member []byte, score float64) bool) {
	switch {
	case src.z != nil:
		src.z.ZAscend(0, func(_ int, m []byte, s float64) bool { return fn(m, s) })
	case src.s != nil:
		src.s.Each(func(m, _ []byte) bool { return fn(m, 1) })
	}
}

func (src *zsrc) find(member []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.ZScore(member)
	case src.s != nil && src.s.Has(member):
		return 1, true
	}
	return 0, false
}

// zresult is one element of an operation's result.
type zresult struct {
	member string
	score  float64
}

// numkeysKeys returns the GetKeys of a command whose input keys follow a
// count at numkeysAt, with a destination key at storeAt (0: none) listed
// first, as Redis's key specs find them. A count that is not a positive
// integer naming keys that are all there gives no keys.
func numkeysKeys(storeAt, numkeysAt int) func(args [][]byte) []int {
	return func(args [][]byte) []int {
		first := numkeysAt + 1
		n, ok := redisnum.ParseInt(args[numkeysAt])
		if !ok || n < 1 || n > int64(len(args)-first) {
			return nil
		}
		out := make([]int, 0, n+1)
		if storeAt > 0 {
			out = append(out, storeAt)
		}
		for i := 0; i < int(n); i++ {
			out = append(out, first+i)
		}
		return out
	}
}

func cmdZunion(c *Ctx)      { zsetOpGeneric(c, nil, 1, zopUnion, false) }
func cmdZinter(c *Ctx)      { zsetOpGeneric(c, nil, 1, zopInter, false) }
func cmdZdiff(c *Ctx)       { zsetOpGeneric(c, nil, 1, zopDiff, false) }
func cmdZintercard(c *Ctx)  { zsetOpGeneric(c, nil, 1, zopInter, true) }
func cmdZunionstore(c *Ctx) { zsetOpGeneric(c, c.Args[1], 2, zopUnion, false) }
func cmdZinterstore(c *Ctx) { zsetOpGeneric(c, c.Args[1], 2, zopInter, false) }
func cmdZdiffstore(c *Ctx)  { zsetOpGeneric(c, c.Args[1], 2, zopDiff, false) }

// zsetOpOpts are the options after the input keys.
type zsetOpOpts struct {
	aggr       zaggr
	withScores bool
	limit      int64 // ZINTERCARD's LIMIT; 0 is no limit
}

// parseZsetOpOpts reads WEIGHTS (one per input, into srcs), AGGREGATE,
// WITHSCORES (not when storing) and LIMIT (ZINTERCARD only). Redis reads
// them only after checking the inputs' types.
func parseZsetOpOpts(opts [][]byte, srcs []zsrc, op zsetOp, store, cardOnly bool) (zsetOpOpts, error) {
	var o zsetOpOpts
	for j := 0; j < len(opts); {
		remaining := len(opts) - j
		opt := opts[j]
		switch {
		case op != zopDiff && !cardOnly && remaining >= len(srcs)+1 && keywordIs(opt, "weights"):
			j++
			for i := range srcs {
				w, ok := parseZScore(opts[j])
				if !ok {
					return o, zsetErr(errZWeightFloat)
				}
				srcs[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && keywordIs(opt, "aggregate"):
			switch a := opts[j+1]; {
			case keywordIs(a, "sum"):
				o.aggr = zaggrSum
			case keywordIs(a, "min"):
				o.aggr = zaggrMin
			case keywordIs(a, "max"):
				o.aggr = zaggrMax
			default:
				return o, zsetErr(ErrSyntax)
			}
			j += 2
		case !store && !cardOnly && keywordIs(opt, "withscores"):
			o.withScores = true
			j++
		case cardOnly && remaining >= 2 && keywordIs(opt, "limit"):
			v, ok := redisnum.ParseInt(opts[j+1])
			if !ok || v < 0 {
				return o, zsetErr("ERR LIMIT can't be negative")
			}
			o.limit = v
			j += 2
		default:
			return o, zsetErr(ErrSyntax)
		}
	}
	return o, nil
}

// zsetOpGeneric runs op over the inputs counted at args[numkeysAt]; dst
// (nil for the read-only forms) receives the result, replacing whatever
// it held, and is deleted when the result is empty; cardOnly answers only
// the intersection's size (ZINTERCARD).
func zsetOpGeneric(c *Ctx, dst []byte, numkeysAt int, op zsetOp, cardOnly bool) {
	n, ok := redisnum.ParseInt(c.Args[numkeysAt])
	switch {
	case !ok:
		c.W.WriteError(ErrNotInteger)
		return
	case n < 1:
		c.W.WriteError("ERR at least 1 input key is needed for '" + c.Cmd.FullName() + "' command")
		return
	case n > int64(len(c.Args)-numkeysAt-1):
		c.W.WriteError(ErrSyntax)
		return
	}
	keys := c.Args[numkeysAt+1 : numkeysAt+1+int(n)]
	opts := c.Args[numkeysAt+1+int(n):]
	// The set views come first and the destination last: a set input
	// that is also the destination is dropped by dst.Reset, and its view
	// must be finished (finding no key) before dst's new sorted set is
	// written.
	refs := make([]engine.CollRef, 0, 2*len(keys)+1)
	for _, k := range keys {
		refs = append(refs, engine.CollRef{DB: c.DB(), Key: k, Type: engine.TypeSet})
	}
	for _, k := range keys {
		refs = append(refs, engine.CollRef{DB: c.DB(), Key: k, Type: engine.TypeZSet})
	}
	if dst != nil {
		refs = append(refs, engine.CollRef{DB: c.DB(), Key: dst, Type: engine.TypeZSet})
	}
	var cfg config.Config
	if dst != nil {
		cfg = c.Srv.Config()
	}
	err := c.Srv.Engine.Collections(refs, func(cs []*engine.Coll) error {
		srcs := make([]zsrc, len(keys))
		for i := range srcs {
			set, zset := cs[i], cs[len(keys)+i]
			if dst == nil {
				noteLookup(c, zset.Exists() || zset.WrongType())
			}
			switch {
			case zset.Exists():
				srcs[i].z = zset
			case set.Exists():
				srcs[i].s = set
			case zset.WrongType():
				return engine.ErrWrongType
			}
			srcs[i].weight = 1
		}
		o, err := parseZsetOpOpts(opts, srcs, op, dst != nil, cardOnly)
		if err != nil {
			return err
		}
		if op != zopDiff {
			// Smallest first, stably as glibc's qsort (a merge sort):
			// the order decides how float sums round.
			sort.SliceStable(srcs, func(i, j int) bool { return srcs[i].len() < srcs[j].len() })
		}
		if cardOnly {
			c.W.WriteInt(zinterCard(srcs, o.limit))
			return nil
		}
		res := zsetOpRun(srcs, op, o.aggr)
		sort.Slice(res, func(i, j int) bool {
			a, b := &res[i], &res[j]
			if a.score != b.score {
				return a.score < b.score
			}
			return a.member < b.member
		})
		if dst == nil {
			zw := newZpairWriter(c, o.withScores)
			zw.begin(len(res))
			for _, r := range res {
				if zw.nested {
					c.W.WriteArray(2)
				}
				c.W.WriteBulkString(r.member)
				if zw.scores {
					c.W.WriteDouble(r.score)
				}
			}
			return nil
		}
		// Redis builds the result as a skiplist and turns it into a
		// listpack only if it is small at the end, which is when -0
		// becomes 0 (see zsetStore).
		longest := 0
		for _, r := range res {
			longest = max(longest, len(r.member))
		}
		listpack := len(res) <= cfg.ZSetMaxListpackEntries && longest <= cfg.ZSetMaxListpackValue
		out := cs[len(cs)-1]
		out.Reset()
		for _, r := range res {
			score := r.score
			if listpack && score == 0 {
				score = 0
			}
			if _, err := out.ZAdd([]byte(r.member), score); err != nil {
				return err
			}
		}
		c.W.WriteInt(int64(len(res)))
		return nil
	})
	if err != nil {
		writeZsetErr(c, err)
	}
}

// zsetOpRun computes op's result, unsorted. Inputs of the union and the
// intersection are ordered by size.
func zsetOpRun(srcs []zsrc, op zsetOp, aggr zaggr) []zresult {
	var res []zresult
	switch op {
	case zopUnion:
		at := make(map[string]int)
		for i := range srcs {
			src := &srcs[i]
			src.each(func(m []byte, s float64) bool {
				score := src.weight * s
				if math.IsNaN(score) {
					score = 0
				}
				if k, ok := at[string(m)]; ok {
					zaggregate(&res[k].score, score, aggr)
				} else {
					at[string(m)] = len(res)
					res = append(res, zresult{string(m), score})
				}
				return true
			})
		}
	case zopInter:
		srcs[0].each(func(m []byte, s float64) bool {
			score := srcs[0].weight * s
			if math.IsNaN(score) {
				score = 0
			}
			for j := 1; j < len(srcs); j++ {
				v, ok := srcs[j].find(m)
				if !ok {
					return true
				}
				zaggregate(&score, v*srcs[j].weight, aggr)
			}
			res = append(res, zresult{string(m), score})
			return true
		})
	case zopDiff:
		srcs[0].each(func(m []byte, s float64) bool {
			for j := 1; j < len(srcs); j++ {
				if _, ok := srcs[j].find(m); ok {
					return true
				}
			}
			res = append(res, zresult{string(m), s})
			return true
		})
	}
	return res
}

// zinterCard counts the intersection, stopping at limit (0: no limit).
func zinterCard(srcs []zsrc, limit int64) int64 {
	var n int64
	srcs[0].each(func(m []byte, _ float64) bool {
		for j := 1; j < len(srcs); j++ {
			if _, ok := srcs[j].find(m); !ok {
				return true
			}
		}
		n++
		return limit == 0 || n < limit
	})
	return n
}
