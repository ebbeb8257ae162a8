// Package glob matches Redis glob-style patterns exactly as redis-server's
// stringmatchlen does, for KEYS, SCAN MATCH, CONFIG GET and COMMAND LIST
// FILTERBY PATTERN. It is pure and safe for concurrent use.
package glob

// Match reports whether str matches a glob-style pattern exactly as
// Redis's stringmatchlen does (case-sensitive), quirks included: '*'
// matches any run of bytes and '?' any one byte; "[abc]" matches one byte
// of the set, "[^abc]" one byte not in it, "[a-z]" a range whose ends may
// come in either order and compare as signed C chars; a backslash escapes
// the next byte inside or outside a set; an unterminated set runs to the
// end of the pattern.
//
// A mismatch after a '*' stops the search early instead of backtracking
// into earlier stars (it could not succeed there either), which keeps the
// cost polynomial; and, as in Redis, patterns nesting more than 1000 stars
// match nothing.
func Match(pattern, str []byte) bool {
	skipLonger := false
	return matchFrom(pattern, str, &skipLonger, 0)
}

const maxNesting = 1000

func matchFrom(pat, str []byte, skipLonger *bool, nesting int) bool {
	if nesting > maxNesting {
		return false
	}
	// at reads the pattern as the C code reads its NUL-terminated buffer:
	// past the end there is a 0.
	at := func(i int) byte {
		if i < len(pat) {
			return pat[i]
		}
		return 0
	}
	p, s := 0, 0
	for p < len(pat) && s < len(str) {
		switch pat[p] {
		case '*':
			for at(p+1) == '*' {
				p++
			}
			if p == len(pat)-1 {
				return true // a trailing star matches the rest
			}
			for ; s < len(str); s++ {
				if matchFrom(pat[p+1:], str[s:], skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
			}
			*skipLonger = true
			return false
		case '?':
			s++
		case '[':
			p++
			negate := at(p) == '^'
			if negate {
				p++
			}
			if matchSet(pat, &p, str[s]) == negate {
				return false
			}
			s++
		case '\\':
			if len(pat)-p >= 2 {
				p++
			}
			if pat[p] != str[s] {
				return false
			}
			s++
		default:
			if pat[p] != str[s] {
				return false
			}
			s++
		}
		p++
		if s == len(str) {
			for at(p) == '*' {
				p++
			}
			break
		}
	}
	return p == len(pat) && s == len(str)
}

// matchSet matches ch against the set starting at pat[*p] (after the
// '[' and any '^') and leaves *p on the closing ']', or on the last byte
// of an unterminated set.
func matchSet(pat []byte, p *int, ch byte) bool {
	i := *p
	match := false
	for {
		switch {
		case i < len(pat)-1 && pat[i] == '\\':
			i++
			if pat[i] == ch {
				match = true
			}
		case i < len(pat) && pat[i] == ']':
			*p = i
			return match
		case i >= len(pat):
			*p = i - 1
			return match
		case len(pat)-i >= 3 && pat[i+1] == '-':
			// C compares plain chars, which are signed on x86.
			lo, hi, c := int8(pat[i]), int8(pat[i+2]), int8(ch)
			if lo > hi {
				lo, hi = hi, lo
			}
			i += 2
			if c >= lo && c <= hi {
				match = true
			}
		case pat[i] == ch:
			match = true
		}
		i++
	}
}

// MatchFold is Match with ASCII case folding, Redis's nocase mode (CONFIG
// GET, COMMAND LIST): folding both sides first is what comparing each byte
// with tolower does, ranges included.
func MatchFold(pattern, str string) bool {
	return Match(lowerASCII(pattern), lowerASCII(str))
}

func lowerASCII(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}
