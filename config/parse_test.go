package config

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/nebredis/nebredis/internal/glob"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"   \t ", nil, false},
		{"port 6379", []string{"port", "6379"}, false},
		{"  save   900  1 ", []string{"save", "900", "1"}, false},
		{`requirepass "a b"`, []string{"requirepass", "a b"}, false},
		{`logfile ""`, []string{"logfile", ""}, false},
		{`x "\x41\x7a" "\n\r\t\b\a" "\"q\"" "\\"`, []string{"x", "Az", "\n\r\t\b\a", `"q"`, `\`}, false},
		{`x "\xZZ"`, []string{"x", "xZZ"}, false}, // not hex: \x is an escaped x
		{`x 'it\'s' 'a\nb'`, []string{"x", "it's", `a\nb`}, false},
		{`x a"b c"`, []string{"x", "ab c"}, false},
		{`x a'b c'`, []string{"x", "ab c"}, false},
		{`x "abc"d`, nil, true},
		{`x 'abc'd`, nil, true},
		{`x "abc`, nil, true},
		{`x 'abc`, nil, true},
		{`x "abc\`, nil, true},
		{"a\x00b", []string{"a"}, false},
		{"a\vb", []string{"a\vb"}, false}, // only ' ' \n \r \t \0 end an unquoted argument
	}
	for _, tc := range tests {
		got, err := SplitArgs(tc.line)
		if tc.err {
			if !errors.Is(err, ErrUnbalancedQuotes) {
				t.Errorf("SplitArgs(%q) = %q, %v; want ErrUnbalancedQuotes", tc.line, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"1000", 1000, true},
		{"01", 1, true},
		{"5b", 5, true},
		{"100k", 100000, true},
		{"100K", 100000, true},
		{"1kb", 1024, true},
		{"1KB", 1024, true},
		{"512m", 512000000, true},
		{"512mb", 512 << 20, true},
		{"1g", 1000000000, true},
		{"1gb", 1 << 30, true},
		{"1GB", 1 << 30, true},
		{"", 0, true},   // Redis reads an empty size as 0
		{"gb", 0, true}, // and a bare unit as 0
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false},
		{"20000000000gb", 0, false},
		{"-1", 0, false},
		{"-0", 0, false},
		{"+5", 0, false},
		{" 5", 0, false},
		{"5 ", 0, false},
		{"1.5gb", 0, false},
		{"1tb", 0, false},
		{"1 gb", 0, false},
		{"abc", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseMemory(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNotMemory) {
			t.Errorf("ParseMemory(%q) error %v is not ErrNotMemory", tc.in, err)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"-1", -1, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"-0", 0, false},
		{"00", 0, false},
		{"007", 0, false},
		{"+5", 0, false},
		{" 5", 0, false},
		{"5 ", 0, false},
		{"1k", 0, false},
		{"1.5", 0, false},
		{"0x10", 0, false},
	}
	for _, tc := range tests {
		got, err := parseInt(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseInt(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"*", "maxmemory", true},
		{"max*", "maxmemory", true},
		{"MAX*", "maxmemory", true},
		{"*policy", "maxmemory-policy", true},
		{"*memory*", "maxmemory-samples", true},
		{"max?emory", "maxmemory", true},
		{"max?emory", "maxmemory-policy", false},
		{"[lm]ax*", "maxmemory", true},
		{"[^m]ax*", "maxmemory", false},
		{"[a-n]axmemory", "maxmemory", true},
		{"[n-a]axmemory", "maxmemory", true},
		{"[A-N]axmemory", "maxmemory", true},
		{`max\*`, "max*", true},
		{`max\*`, "maxmemory", false},
		{"port", "port", true},
		{"por", "port", false},
		{"", "", true},
		{"[abc", "a", true}, // an unclosed class ends the pattern
		{"**a", "ba", true},
	}
	for _, tc := range tests {
		if got := glob.MatchFold(tc.pat, tc.name); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}
