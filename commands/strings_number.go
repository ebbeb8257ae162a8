package commands

import (
	"bytes"
	"math"
	"math/big"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// Number parsing and formatting exactly as redis-server does it. Redis is
// strict about integers (string2ll, which is argInt in args.go) but hands
// floats to the C library (strtold), and INCRBYFLOAT computes in x87 80-bit
// "long double"; these helpers reproduce both so replies match byte for
// byte.

// parseRedisInt32 is getIntFromObjectOrReply: an integer that must also fit
// in a C int. It returns the error reply, "" on success.
func parseRedisInt32(b []byte) (int, string) {
	v, ok := redisnum.ParseInt(b)
	if !ok {
		return 0, ErrNotInteger
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, "ERR value is out of range, value must between -2147483648 and 2147483647"
	}
	return int(v), ""
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

// parseScanCursor reads a SCAN cursor as Redis does, with strtoul: a sign
// is allowed (and "-1" wraps to 2^64-1), leading zeros are allowed, the
// empty string is cursor 0, but a leading space, trailing garbage or a
// value above 2^64-1 is "ERR invalid cursor". Like C, it stops at a NUL.
func parseScanCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isCSpace(b[0]) {
		return 0, false
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return 0, true
	}
	s := b
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false // no digits: strtoul leaves the end pointer at the start
	}
	var v uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false // ERANGE
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// x87 extended precision ("long double" on x86-64 Linux): a 64-bit
// significand, normal exponents down to 2^-16382, subnormals down to
// 2^-16445, largest finite value just under 2^16384.
const (
	ldPrec       = 64
	ldMaxExp     = 16383  // largest binary exponent of a finite value
	ldMinNormExp = -16382 // exponent of the smallest normal value
	ldSubQuantum = 16445  // subnormals are multiples of 2^-16445
	// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs
	// are not floats.
	maxLongDoubleChars = 5 * 1024
)

// parseLongDouble reads b as Redis's string2ld: glibc strtold must consume
// the whole string (decimal, hexadecimal "0x1.8p3", "inf"/"infinity"; NaN
// refused; no leading space, so no NUL byte anywhere either),
// correctly rounded to long double. Overflow to infinity and underflow to
// zero are errors, as Redis refuses strtold's ERANGE results. The result is
// a big.Float with 64 bits of precision, possibly ±Inf.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return nil, false
	}
	s := b
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if bytes.EqualFold(s, []byte("inf")) || bytes.EqualFold(s, []byte("infinity")) {
		return newLongDouble().SetInf(neg), true
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		if f, ok := parseHexLongDouble(neg, s[2:]); ok {
			return f, true
		}
		// strtold would read just the "0" and stop at the 'x'.
		return nil, false
	}
	return parseDecimalLongDouble(neg, s)
}

func newLongDouble() *big.Float {
	return new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven)
}

func ldIsDigit(ch byte) bool { return ch >= '0' && ch <= '9' }

func ldHexDigit(ch byte) (int, bool) {
	switch {
	case ch >= '0' && ch <= '9':
		return int(ch - '0'), true
	case ch >= 'a' && ch <= 'f':
		return int(ch-'a') + 10, true
	case ch >= 'A' && ch <= 'F':
		return int(ch-'A') + 10, true
	}
	return 0, false
}

// parseExponent reads [+-]?digits+ and saturates far beyond any exponent
// that could still give a finite non-zero long double.
func parseExponent(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var v int64
	for _, ch := range s {
		if !ldIsDigit(ch) {
			return 0, false
		}
		if v < 1<<40 {
			v = v*10 + int64(ch-'0')
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

func parseDecimalLongDouble(neg bool, s []byte) (*big.Float, bool) {
	var digits []byte // significant digits, without leading zeros
	var exp10 int64   // value = digits * 10^exp10
	sawDigit := false
	i := 0
	for ; i < len(s) && ldIsDigit(s[i]); i++ {
		sawDigit = true
		if len(digits) > 0 || s[i] != '0' {
			digits = append(digits, s[i])
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && ldIsDigit(s[i]); i++ {
			sawDigit = true
			if len(digits) > 0 || s[i] != '0' {
				digits = append(digits, s[i])
			}
			exp10--
		}
	}
	if !sawDigit {
		return nil, false
	}
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return nil, false
		}
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return nil, false
		}
		exp10 += e
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp10++
	}
	if len(digits) == 0 {
		f := newLongDouble()
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	// The value lies in [10^(n-1+exp10), 10^(n+exp10)): decide plain
	// overflow (above ~1.19e4932) and underflow (below half the smallest
	// subnormal, ~1.8e-4951) before doing big arithmetic.
	n := int64(len(digits))
	if n-1+exp10 > 4933 || n+exp10 < -4952 {
		return nil, false
	}
	num, _ := new(big.Int).SetString(string(digits), 10)
	den := big.NewInt(1)
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(ldAbs(exp10)), nil)
	if exp10 >= 0 {
		num.Mul(num, pow)
	} else {
		den = pow
	}
	return roundLongDouble(neg, num, den)
}

func parseHexLongDouble(neg bool, s []byte) (*big.Float, bool) {
	mant := new(big.Int)
	var exp2 int64
	sawDigit := false
	i := 0
	for ; i < len(s); i++ {
		d, ok := ldHexDigit(s[i])
		if !ok {
			break
		}
		sawDigit = true
		mant.Lsh(mant, 4).Or(mant, big.NewInt(int64(d)))
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s); i++ {
			d, ok := ldHexDigit(s[i])
			if !ok {
				break
			}
			sawDigit = true
			mant.Lsh(mant, 4).Or(mant, big.NewInt(int64(d)))
			exp2 -= 4
		}
	}
	if !sawDigit {
		return nil, false
	}
	if i < len(s) {
		if s[i] != 'p' && s[i] != 'P' {
			return nil, false
		}
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return nil, false
		}
		exp2 += e
	}
	if mant.Sign() == 0 {
		f := newLongDouble()
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	top := int64(mant.BitLen()) - 1 + exp2
	if top > ldMaxExp+1 || top < -ldSubQuantum-2 {
		return nil, false
	}
	num, den := mant, big.NewInt(1)
	if exp2 >= 0 {
		num.Lsh(num, uint(exp2))
	} else {
		den.Lsh(den, uint(-exp2))
	}
	return roundLongDouble(neg, num, den)
}

func ldAbs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// roundLongDouble rounds num/den (both positive) to the nearest long double,
// ties to even, with gradual underflow. Results that overflow to infinity
// or underflow to zero are refused, as strtold reports ERANGE for them.
func roundLongDouble(neg bool, num, den *big.Int) (*big.Float, bool) {
	// k = floor(log2(num/den))
	k := num.BitLen() - den.BitLen()
	t := new(big.Int)
	if k >= 0 {
		t.Lsh(den, uint(k))
		if num.Cmp(t) < 0 {
			k--
		}
	} else {
		t.Lsh(num, uint(-k))
		if t.Cmp(den) < 0 {
			k--
		}
	}
	if k > ldMaxExp {
		return nil, false
	}
	shift := ldPrec - 1 - k // fraction bits kept for a normal value
	if k < ldMinNormExp {
		shift = ldSubQuantum
	}
	n2, d2 := new(big.Int).Set(num), new(big.Int).Set(den)
	if shift >= 0 {
		n2.Lsh(n2, uint(shift))
	} else {
		d2.Lsh(d2, uint(-shift))
	}
	q, r := new(big.Int).QuoRem(n2, d2, new(big.Int))
	switch r.Lsh(r, 1).Cmp(d2) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	if q.Sign() == 0 {
		return nil, false
	}
	if q.BitLen() > ldPrec {
		q.Rsh(q, 1)
		shift--
		k++
		if k > ldMaxExp {
			return nil, false
		}
	}
	f := newLongDouble().SetInt(q)
	f.SetMantExp(f, -shift)
	if neg {
		f.Neg(f)
	}
	return f, true
}

// addLongDouble is long double addition; ok is false when the sum is NaN
// or infinite (including when an operand is infinite).
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	sum := newLongDouble().Add(a, b)
	if sum.Sign() != 0 && sum.MantExp(nil) > ldMaxExp+1 {
		return nil, false
	}
	return sum, true
}

// formatLongDouble writes v as Redis's ld2string in LD_STR_HUMAN mode:
// printf("%.17Lf") (exact, ties to even), then trailing zeros and a
// trailing dot removed, and "-0" written as "0".
func formatLongDouble(dst []byte, v *big.Float) []byte {
	start := len(dst)
	dst = v.Append(dst, 'f', 17)
	if bytes.IndexByte(dst[start:], '.') >= 0 {
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
		if dst[len(dst)-1] == '.' {
			dst = dst[:len(dst)-1]
		}
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}
