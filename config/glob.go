package config

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
