package commands

import (
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// cmdLcs is LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the
// longest common subsequence of two strings by the textbook dynamic
// program, walked back from the end exactly as Redis walks it so that the
// same subsequence and the same match ranges (last match first) come out.
func cmdLcs(c *Ctx) {
	a, b, wrongType, err := readTwoStrings(c, c.Args[1], c.Args[2])
	switch {
	case err != nil:
		c.W.WriteError(EngineError(err))
		return
	case wrongType:
		c.W.WriteError("ERR The specified keys must contain string values")
		return
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Args); j++ {
		opt := c.Args[j]
		more := len(c.Args) - 1 - j
		switch {
		case keywordIs(opt, "idx"):
			getIdx = true
		case keywordIs(opt, "len"):
			getLen = true
		case keywordIs(opt, "withmatchlen"):
			withMatchLen = true
		case keywordIs(opt, "minmatchlen") && more > 0:
			v, ok := redisnum.ParseInt(c.Args[j+1])
			if !ok {
				c.W.WriteError(ErrNotInteger)
				return
			}
			minMatchLen = max(v, 0)
			j++
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.W.WriteError("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	const maxLen = 1<<32 - 2 // Redis keeps lengths in uint32
	if len(a) >= maxLen || len(b) >= maxLen {
		c.W.WriteError("ERR String too long for LCS")
		return
	}
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells*4 > uint64(c.Srv.Config().ProtoMaxBulkLen) {
		c.W.WriteError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}

	// dp[i*(len(b)+1)+j] is the LCS length of a[:i] and b[:j].
	w := len(b) + 1
	dp := make([]uint32, cells)
	for i := 1; i <= len(a); i++ {
		row, prev := dp[i*w:(i+1)*w], dp[(i-1)*w:i*w]
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				row[j] = prev[j-1] + 1
			} else {
				row[j] = max(prev[j], row[j-1])
			}
		}
	}
	total := dp[len(a)*w+len(b)]

	if getLen {
		c.W.WriteInt(int64(total))
		return
	}
	result := make([]byte, total)
	type match struct{ aStart, aEnd, bStart, bEnd int }
	var matches []match

	// Walk back from the end. A range is open while matches are contiguous
	// in both strings; it closes on a mismatch step or when it reaches the
	// start of either string.
	idx := int(total)
	open := false
	var cur match
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			switch {
			case !open:
				cur = match{i - 1, i - 1, j - 1, j - 1}
				open = true
			case cur.aStart == i && cur.bStart == j:
				cur.aStart--
				cur.bStart--
			default:
				emit = true
			}
			if cur.aStart == 0 || cur.bStart == 0 {
				emit = true
			}
			idx, i, j = idx-1, i-1, j-1
		} else {
			if dp[(i-1)*w+j] > dp[i*w+j-1] {
				i--
			} else {
				j--
			}
			if open {
				emit = true
			}
		}
		if emit {
			if n := cur.aEnd - cur.aStart + 1; minMatchLen == 0 || int64(n) >= minMatchLen {
				matches = append(matches, cur)
			}
			open = false
		}
	}

	if !getIdx {
		c.W.WriteBulk(result)
		return
	}
	c.W.WriteMap(2)
	c.W.WriteBulkString("matches")
	c.W.WriteArray(len(matches))
	for _, m := range matches {
		if withMatchLen {
			c.W.WriteArray(3)
		} else {
			c.W.WriteArray(2)
		}
		c.W.WriteArray(2)
		c.W.WriteInt(int64(m.aStart))
		c.W.WriteInt(int64(m.aEnd))
		c.W.WriteArray(2)
		c.W.WriteInt(int64(m.bStart))
		c.W.WriteInt(int64(m.bEnd))
		if withMatchLen {
			c.W.WriteInt(int64(m.aEnd - m.aStart + 1))
		}
	}
	c.W.WriteBulkString("len")
	c.W.WriteInt(int64(total))
}

// readTwoStrings copies the values of two keys, read atomically, counting
// keyspace hits and misses; a missing key reads as "". wrongType is set
// when either key holds another type.
func readTwoStrings(c *Ctx, k1, k2 []byte) (a, b []byte, wrongType bool, err error) {
	refs := []engine.KeyRef{{DB: c.Sess.DB, Key: k1}, {DB: c.Sess.DB, Key: k2}}
	err = c.Srv.Engine.Multi(refs, func(vals []*engine.Value) []engine.Write {
		for i, v := range vals {
			if v == nil {
				c.Srv.Miss()
				continue
			}
			c.Srv.Hit()
			if v.Type != engine.TypeString {
				wrongType = true
				continue
			}
			cp := append([]byte(nil), v.Data...)
			if i == 0 {
				a = cp
			} else {
				b = cp
			}
		}
		return nil
	})
	return a, b, wrongType, err
}
