package glob

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, str string
		want         bool
	}{
		{"*", "", false}, // as in Redis: an empty string matches only "" (KEYS * short-cuts)
		{"a*", "a", true},
		{"", "", true},
		{"", "a", false},
		{"*a", "ba", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hbllo", true}, // reversed range
		{"h[a-b]llo", "hcllo", false},
		{`h\*llo`, "h*llo", true},
		{`h\*llo`, "hello", false},
		{`[\]]`, "]", true},
		{`[]`, "]", false},
		{"[abc", "c", true},  // unterminated set runs to the end
		{"[a-", "-", true},   // too short for a range: literal bytes
		{"[a-]", "b", false}, // the range is ']'..'a'
		{"[a-]", "^", true},
		{`\`, `\`, true},
		{"a**b", "axxb", true},
		{"a*b*c", "abbbc", true},
		{"a*b*c", "abbb", false},
		{"*?", "", false},
		{"[\x01-\xff]", "\x80", false}, // signed chars: \xff is -1
		{"[\x01-\xff]", "a", false},
		{"[\xff-\x01]", "\x00", true},
		{"a*", strings.Repeat("a", 10), true},
	} {
		if got := Match([]byte(tc.pattern), []byte(tc.str)); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.str, got, tc.want)
		}
	}
	long := []byte(strings.Repeat("a", 3000))
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{strings.Repeat("a*", 1001), true},
		{strings.Repeat("a*", 1002), false}, // nesting limit
		{strings.Repeat("*a", 1000), true},
		{strings.Repeat("*a", 1001), false},
		{strings.Repeat("*", 5000) + "a", true},
		{strings.Repeat("a*", 100) + "b", false}, // must stay fast
	} {
		if got := Match([]byte(tc.pattern), long); got != tc.want {
			t.Errorf("Match(%.20q..., a*3000) = %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

// TestMatchModel compares globMatch with a regexp translation on
// patterns without the quirky corners (no sets or escapes).
func TestMatchModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	alphabet := "ab*?"
	for range 20000 {
		var p, s strings.Builder
		for range r.IntN(8) {
			p.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		for range r.IntN(8) {
			s.WriteByte("ab"[r.IntN(2)])
		}
		re := "^" + strings.NewReplacer("*", "(?s:.*)", "?", "(?s:.)").Replace(p.String()) + "$"
		want := regexp.MustCompile(re).MatchString(s.String())
		if s.Len() == 0 {
			want = p.Len() == 0 // Redis's quirk: the match loop never runs
		}
		if got := Match([]byte(p.String()), []byte(s.String())); got != want {
			t.Fatalf("Match(%q, %q) = %v, want %v", p.String(), s.String(), got, want)
		}
	}
}
