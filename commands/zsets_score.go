package commands

import (
	"bytes"
	"errors"
	"math"
	"strconv"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// Sorted-set scores are C doubles, and Redis reads them with glibc's
// strtod in two ways:
//
//   - a score or weight argument (ZADD, ZINCRBY, WEIGHTS) goes through
//     string2d: the whole argument must be a number, with no leading space
//     (so no NUL byte either), not NaN, and neither overflowing to ±inf nor
//     underflowing to zero ("inf" itself is fine);
//   - a range bound (ZRANGEBYSCORE, ZCOUNT...) is read with plain strtod on
//     the C string: leading space is skipped, the number must run up to
//     the end or to a NUL byte, overflow gives ±inf, and the empty string
//     is 0.
//
// Replies format scores with "%.17g" (Writer.WriteDouble), inf as "inf".

// Error replies of the sorted-set commands.
const (
	errZNaN         = "ERR resulting score is not a number (NaN)"
	errZRangeFloat  = "ERR min or max is not a float"
	errZRangeLex    = "ERR min or max not valid string range item"
	errZWeightFloat = "ERR weight value is not a float"
	errZPositive    = "ERR value is out of range, must be positive"
)

// zsetErr is an error reply decided inside an engine callback, returned
// through the engine call and written by the handler.
type zsetErr string

func (e zsetErr) Error() string { return string(e) }

// writeZsetErr writes the reply for an error an engine callback returned:
// its own reply text, or the engine sentinel's.
func writeZsetErr(c *Ctx, err error) {
	var re zsetErr
	if errors.As(err, &re) {
		c.W.WriteError(string(re))
		return
	}
	c.W.WriteError(EngineError(err))
}

func strtodDigit(ch byte) bool { return ch >= '0' && ch <= '9' }

func strtodPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// strtod is glibc's strtod in the C locale: it reads the longest prefix of
// b that is a number (after blanks: a sign, then decimal digits with an
// optional point and exponent, "0x" hexadecimal with an optional binary
// exponent, "inf", "infinity", or "nan" with an optional "(chars)") and
// returns the value, the bytes consumed (0 when there is no number), and
// whether the value overflowed to ±inf or underflowed to zero (ERANGE; a
// subnormal result does not count here, as Redis only refuses those two).
func strtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	switch {
	case strtodPrefixFold(rest, "infinity"):
		return math.Inf(strtodSign(neg)), i + 8, false
	case strtodPrefixFold(rest, "inf"):
		return math.Inf(strtodSign(neg)), i + 3, false
	case strtodPrefixFold(rest, "nan"):
		j := i + 3
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (strtodDigit(b[k]) || b[k] == '_' || ('a' <= b[k]|0x20 && b[k]|0x20 <= 'z')) {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	case len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X'):
		return strtodHex(b, start, i, neg)
	}
	j := i
	digits, nonzero := 0, false
	for j < len(b) && strtodDigit(b[j]) {
		nonzero = nonzero || b[j] != '0'
		j++
		digits++
	}
	if j < len(b) && b[j] == '.' {
		j++
		for j < len(b) && strtodDigit(b[j]) {
			nonzero = nonzero || b[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0, false
	}
	j = strtodExponent(b, j, 'e')
	v, err := strconv.ParseFloat(string(b[start:j]), 64)
	return v, j, err != nil || (v == 0 && nonzero)
}

// strtodHex reads a hexadecimal float whose "0x" starts at i.
func strtodHex(b []byte, start, i int, neg bool) (float64, int, bool) {
	j := i + 2
	digits, nonzero := 0, false
	for j < len(b) && strtodHexDigit(b[j]) {
		nonzero = nonzero || b[j] != '0'
		j++
		digits++
	}
	if j < len(b) && b[j] == '.' {
		j++
		for j < len(b) && strtodHexDigit(b[j]) {
			nonzero = nonzero || b[j] != '0'
			j++
			digits++
		}
	}
	if digits == 0 {
		// Only the "0" is a number; strtod stops at the 'x'.
		if neg {
			return math.Copysign(0, -1), i + 1, false
		}
		return 0, i + 1, false
	}
	mantEnd := j
	j = strtodExponent(b, j, 'p')
	s := string(b[start:mantEnd])
	if j > mantEnd {
		s += string(b[mantEnd:j])
	} else {
		s += "p0" // Go wants the exponent that C makes optional
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, j, err != nil || (v == 0 && nonzero)
}

// strtodExponent returns the end of an exponent (marker e or p, either case,
// an optional sign and at least one digit) starting at j, or j if there
// is none.
func strtodExponent(b []byte, j int, marker byte) int {
	if j >= len(b) || b[j]|0x20 != marker {
		return j
	}
	k := j + 1
	if k < len(b) && (b[k] == '+' || b[k] == '-') {
		k++
	}
	if k >= len(b) || !strtodDigit(b[k]) {
		return j
	}
	for k < len(b) && strtodDigit(b[k]) {
		k++
	}
	return k
}

func strtodHexDigit(ch byte) bool {
	return strtodDigit(ch) || ('a' <= ch|0x20 && ch|0x20 <= 'f')
}

func strtodSign(neg bool) int {
	if neg {
		return -1
	}
	return 1
}

// parseZScore reads a score argument as Redis's string2d.
func parseZScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtod(b)
	if n != len(b) || math.IsNaN(v) || (erange && (v == 0 || math.IsInf(v, 0))) {
		return 0, false
	}
	return v, true
}

// parseZBound reads one end of a score range as zslParseRange: "(" makes
// it exclusive, the rest goes to strtod as a C string.
func parseZBound(b []byte) (v float64, ex, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		b, ex = b[1:], true
	}
	v, n, _ := strtod(b)
	if (n != len(b) && b[n] != 0) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// zScoreRange is a parsed ZRANGEBYSCORE range.
type zScoreRange struct {
	min, max     float64
	minEx, maxEx bool
}

func parseZScoreRange(min, max []byte) (zScoreRange, bool) {
	var r zScoreRange
	var ok1, ok2 bool
	r.min, r.minEx, ok1 = parseZBound(min)
	r.max, r.maxEx, ok2 = parseZBound(max)
	return r, ok1 && ok2
}

// ranks returns the ranks [start, end) of z's elements inside r.
func (r zScoreRange) ranks(z *engine.Coll) (int, int) {
	start := z.ZCountBelow(r.min, r.minEx)
	end := z.ZCountBelow(r.max, !r.maxEx)
	return start, max(start, end)
}

// zLexBound is one end of a ZRANGEBYLEX range: "-" (below everything), "+"
// (above everything), or a member, inclusive with "[" or exclusive with
// "(".
type zLexBound struct {
	inf int // -1 for "-", +1 for "+", 0 for a member
	val []byte
	ex  bool
}

// parseZLexBound is zslParseLexRangeItem; "+" and "-" are read as C
// strings, so anything after a NUL byte is ignored.
func parseZLexBound(b []byte) (zLexBound, bool) {
	if len(b) == 0 {
		return zLexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return zLexBound{}, false
		}
		if b[0] == '+' {
			return zLexBound{inf: 1, ex: true}, true
		}
		return zLexBound{inf: -1, ex: true}, true
	case '(':
		return zLexBound{val: b[1:], ex: true}, true
	case '[':
		return zLexBound{val: b[1:]}, true
	}
	return zLexBound{}, false
}

// zLexRange is a parsed ZRANGEBYLEX range. Its bounds alias the arguments.
type zLexRange struct{ min, max zLexBound }

func parseZLexRange(min, max []byte) (zLexRange, bool) {
	lo, ok1 := parseZLexBound(min)
	hi, ok2 := parseZLexBound(max)
	return zLexRange{lo, hi}, ok1 && ok2
}

// countBelow is the number of z's elements below b: those a range
// starting just above b would skip when inclusive is set, or those below
// a range starting at b otherwise.
func (b zLexBound) countBelow(z *engine.Coll, inclusive bool) int {
	switch b.inf {
	case -1:
		return 0
	case 1:
		return z.Len()
	}
	return z.ZCountLexBelow(b.val, inclusive)
}

// ranks returns the ranks [start, end) of z's elements inside r (for a
// sorted set whose elements share one score, ZRANGEBYLEX's contract).
func (r zLexRange) ranks(z *engine.Coll) (int, int) {
	start := r.min.countBelow(z, r.min.ex)
	end := r.max.countBelow(z, !r.max.ex)
	return start, max(start, end)
}

// zsetListpack reports whether Redis 7.0 would hold z as a listpack (see
// collectionEncoding): small sorted sets keep their scores as listpack
// entries, which changes how a few of them read back.
func zsetListpack(cfg *config.Config, z *engine.Coll) bool {
	return collectionEncoding(cfg, engine.TypeZSet, z) == "listpack"
}

// zsetStore sets member's score as Redis's zsetAdd stores it. A listpack
// stores an integral score as an integer, so a -0 written into one reads
// back as 0; a skiplist keeps the sign. Callers skip writes of a score
// equal to the current one (Redis compares with ==, so 0 and -0 are
// equal and the stored sign stays). It runs under the key's shard lock
// and reads the config (its own lock, never held while taking an engine
// lock) only for a -0.
func zsetStore(c *Ctx, z *engine.Coll, member []byte, score float64) (bool, error) {
	added, err := z.ZAdd(member, score)
	if err != nil || score != 0 || !math.Signbit(score) {
		return added, err
	}
	if cfg := c.Srv.Config(); zsetListpack(&cfg, z) {
		_, err = z.ZAdd(member, 0)
	}
	return added, err
}

// zsetMaxListpackInt is (double)(LLONG_MAX/2): a listpack keeps integral
// scores up to this magnitude as integers.
const zsetMaxListpackInt = 1 << 62

// appendZScanScore formats a score as ZSCAN shows it: from a listpack, an
// integral score within ±2^62 as an integer, anything else with "%.17g"
// (inf and -inf spelled so); from a skiplist always "%.17g", keeping -0.
func appendZScanScore(dst []byte, f float64, listpack bool) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case listpack && f >= -zsetMaxListpackInt && f <= zsetMaxListpackInt && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
