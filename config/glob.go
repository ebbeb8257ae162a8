package config

// globMatch reports whether name matches pattern with the rules of Redis's
// stringmatchlen, as CONFIG GET uses it (case-insensitive): * any run, ?
// one byte, [abc] [^abc] [a-z] classes, \x a literal x.
func globMatch(pattern, name string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 1 && pattern[1] == '*' {
				pattern = pattern[1:]
			}
			if len(pattern) == 1 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if globMatch(pattern[1:], name[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(name) == 0 {
				return false
			}
			name = name[1:]
			pattern = pattern[1:]
		case '[':
			if len(name) == 0 {
				return false
			}
			p := pattern[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			c := lower(name[0])
			match := false
			for len(p) > 0 && p[0] != ']' {
				switch {
				case p[0] == '\\' && len(p) >= 2:
					if lower(p[1]) == c {
						match = true
					}
					p = p[2:]
				case len(p) >= 3 && p[1] == '-':
					lo, hi := lower(p[0]), lower(p[2])
					if lo > hi {
						lo, hi = hi, lo
					}
					if c >= lo && c <= hi {
						match = true
					}
					p = p[3:]
				default:
					if lower(p[0]) == c {
						match = true
					}
					p = p[1:]
				}
			}
			if len(p) > 0 { // skip the closing ]; an unclosed class ends the pattern
				p = p[1:]
			}
			if match == not {
				return false
			}
			pattern = p
			name = name[1:]
		case '\\':
			if len(pattern) >= 2 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if len(name) == 0 || lower(pattern[0]) != lower(name[0]) {
				return false
			}
			name = name[1:]
			pattern = pattern[1:]
		}
	}
	return len(name) == 0
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasGlob reports whether a CONFIG GET argument is a pattern rather than a
// name, as Redis decides it (strpbrk "[*?").
func hasGlob(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '*', '?':
			return true
		}
	}
	return false
}
