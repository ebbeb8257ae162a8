package config

import (
	"errors"
	"math"
	"strings"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// ErrUnbalancedQuotes is returned by SplitArgs for a line whose quotes do
// not close, or whose closing quote is not followed by a space.
var ErrUnbalancedQuotes = errors.New("config: unbalanced quotes")

// SplitArgs splits one line the way Redis's sdssplitargs does (config
// files, redis-cli, inline commands): arguments are separated by white
// space; "double quotes" understand \n \r \t \b \a, \xHH and \<any>;
// 'single quotes' understand only \'; a quote may start in the middle of an
// argument (a"b c" is the one argument `ab c`), but a closing quote must be
// followed by white space or the end of the line.
func SplitArgs(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i] // Redis works on C strings: a NUL ends the line
	}
	var out []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return out, nil
		}
		var cur []byte
		inDouble, inSingle := false, false
	token:
		for {
			switch {
			case inDouble:
				if i == len(line) {
					return nil, ErrUnbalancedQuotes
				}
				ch := line[i]
				switch {
				case ch == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, hexVal(line[i+2])<<4|hexVal(line[i+3]))
					i += 3
				case ch == '\\' && i+1 < len(line):
					i++
					switch c := line[i]; c {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, c)
					}
				case ch == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, ErrUnbalancedQuotes
					}
					i++
					break token
				default:
					cur = append(cur, ch)
				}
				i++
			case inSingle:
				if i == len(line) {
					return nil, ErrUnbalancedQuotes
				}
				ch := line[i]
				switch {
				case ch == '\\' && i+1 < len(line) && line[i+1] == '\'':
					cur = append(cur, '\'')
					i++
				case ch == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, ErrUnbalancedQuotes
					}
					i++
					break token
				default:
					cur = append(cur, ch)
				}
				i++
			default:
				if i == len(line) {
					break token
				}
				switch ch := line[i]; ch {
				case ' ', '\n', '\r', '\t':
					break token
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					cur = append(cur, ch)
				}
				i++
			}
		}
		out = append(out, string(cur))
	}
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// ErrNotMemory is returned by ParseMemory; its text is Redis's reason.
var ErrNotMemory = errors.New("argument must be a memory value")

// ParseMemory reads a size as redis.conf does (Redis's memtoull): decimal
// digits, then an optional case-insensitive unit: b = 1, k = 1000,
// kb = 1024, m = 1000², mb = 1024², g = 1000³, gb = 1024³. Like Redis it
// reads "" and a bare unit as 0 and rejects signs, spaces and fractions.
// Unlike Redis, a size that does not fit in 64 bits is an error instead of
// wrapping around.
func ParseMemory(s string) (uint64, error) {
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	var mul uint64
	switch strings.ToLower(s[digits:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, ErrNotMemory
	}
	var v uint64
	for _, c := range []byte(s[:digits]) {
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, ErrNotMemory
		}
		v = v*10 + d
	}
	if v > math.MaxUint64/mul {
		return 0, ErrNotMemory
	}
	return v * mul, nil
}

// errNotInteger's text is Redis's reason for a malformed integer.
var errNotInteger = errors.New("argument couldn't be parsed into an integer")

// parseInt reads a decimal integer as Redis's string2ll.
func parseInt(s string) (int64, error) {
	v, ok := redisnum.ParseInt([]byte(s))
	if !ok {
		return 0, errNotInteger
	}
	return v, nil
}

// errNotYesNo's text is Redis's reason for a malformed boolean.
var errNotYesNo = errors.New("argument must be 'yes' or 'no'")

// parseYesNo reads yes or no, case-insensitively.
func parseYesNo(s string) (bool, error) {
	switch {
	case strings.EqualFold(s, "yes"):
		return true, nil
	case strings.EqualFold(s, "no"):
		return false, nil
	}
	return false, errNotYesNo
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
