package main

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// redis-benchmark 7.0.15's --csv output for -t lrange_100,mset, with the
// LPUSH that fills the list first.
const benchmarkCSV = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"LPUSH (needed to benchmark LRANGE)","90909.09","0.290","0.112","0.287","0.343","0.415","0.559"
"LRANGE_100 (first 100 elements)","54054.05","0.492","0.272","0.463","0.679","1.175","1.335"
"MSET (10 keys)","100000.00","0.373","0.192","0.351","0.575","0.655","0.943"
`

func TestParseBenchmarkCSV(t *testing.T) {
	got, err := parseBenchmarkCSV([]byte(benchmarkCSV))
	if err != nil {
		t.Fatal(err)
	}
	want := []namedBenchmarkResult{
		{"LPUSH", benchmarkResult{RPS: 90909.09, P50ms: 0.287, P99ms: 0.415}},
		{"LRANGE_100", benchmarkResult{RPS: 54054.05, P50ms: 0.463, P99ms: 1.175}},
		{"MSET", benchmarkResult{RPS: 100000, P50ms: 0.351, P99ms: 0.655}},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	// redis-benchmark 6 had no latency columns.
	if _, err := parseBenchmarkCSV([]byte("\"test\",\"rps\"\n\"SET\",\"1\"\n")); err == nil {
		t.Error("CSV without latency columns parsed")
	}
}

func TestCommandsOfTest(t *testing.T) {
	for test, want := range map[string][]string{
		"ping_inline": {"PING"},
		"set":         {"SET"},
		"zpopmin":     {"ZPOPMIN"},
		"lrange_600":  {"LPUSH", "LRANGE"},
		"xadd":        {"XADD"},
	} {
		if got := commandsOfTest(test); !slices.Equal(got, want) {
			t.Errorf("commandsOfTest(%q) = %v, want %v", test, got, want)
		}
	}
}

func TestMedianAndSpread(t *testing.T) {
	for _, tc := range []struct {
		vs             []float64
		median, spread float64
	}{
		{[]float64{5}, 5, 0},
		{[]float64{3, 1, 2}, 2, 1},
		{[]float64{4, 1, 3, 2}, 2.5, 3 / 2.5},
		{[]float64{100, 110, 90, 100, 105}, 100, 0.2},
	} {
		if m := median(tc.vs); m != tc.median {
			t.Errorf("median(%v) = %v, want %v", tc.vs, m, tc.median)
		}
		if s := spread(tc.vs); math.Abs(s-tc.spread) > 1e-9 {
			t.Errorf("spread(%v) = %v, want %v", tc.vs, s, tc.spread)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

func TestSizedRequests(t *testing.T) {
	for _, tc := range []struct {
		rps  float64
		want int
	}{
		{rps: 0, want: minSizedRequests},
		{rps: 8437.6, want: 8400},
		{rps: 73099, want: 73000},
		{rps: 598802, want: 600000},
		{rps: 1e9, want: maxSizedRequests},
	} {
		if got := sizedRequests(tc.rps, time.Second); got != tc.want {
			t.Errorf("sizedRequests(%v, 1s) = %d, want %d", tc.rps, got, tc.want)
		}
	}
	if got := sizedRequests(10000, 3*time.Second); got != 30000 {
		t.Errorf("sizedRequests(10000, 3s) = %d, want 30000", got)
	}
}

func TestCountLabel(t *testing.T) {
	for n, want := range map[int]string{1_000_000: "1M", 10_000: "10k", 1500: "1500", 7: "7", 2_500_000: "2500k"} {
		if got := countLabel(n); got != want {
			t.Errorf("countLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTableCells(t *testing.T) {
	rows := []row{
		{Suite: "throughput", Test: "SET -P 1", Metric: requestsPerSecond,
			Redis:    outcome{Values: []float64{100, 120, 80}, P50ms: []float64{0.3, 0.2, 0.4}, P99ms: []float64{1, 1, 1}},
			Nebredis: outcome{Values: []float64{50, 50, 50}, P50ms: []float64{0.5, 0.5, 0.5}, P99ms: []float64{2, 2, 2}}},
		{Suite: "throughput", Test: "LPUSH -P 1", Metric: requestsPerSecond,
			Redis: outcome{Values: []float64{90}}, Nebredis: outcome{Missing: "unsupported"}},
		{Suite: "durability", Test: "restart", Metric: restartSeconds,
			Redis: outcome{Values: []float64{2.004}}, Nebredis: outcome{Values: []float64{0.5}, Note: "wrote nothing"}},
	}
	rep := report{Rows: rows, Noisy: 0.2}
	var b bytes.Buffer
	rep.writeTable(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{
		"| suite | test | metric | redis-server | nebredis | neb/redis | p50 ms | p99 ms | noisy |",
		"|---|---|---|--:|--:|--:|--:|--:|---|",
		"| throughput | SET -P 1 | req/s ↑ | 100 (80–120) | 50 (50–50) | 0.50 | 0.300 / 0.500 | 1.000 / 2.000 | noisy: redis 40% |",
		"| throughput | LPUSH -P 1 | req/s ↑ | 90 | unsupported | — |  |  |  |",
		"| durability | restart | restart s ↓ | 2.00 | 0.50, wrote nothing | 0.25 |  |  |  |",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("table:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
