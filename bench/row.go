package main

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// metric says what a row measures, in what unit, and which way is better.
type metric struct {
	Name         string // "RSS", "used_memory", "restart"; "" when the unit says it all
	Unit         string // "req/s", "B/key", "B/element", "s"
	HigherBetter bool
}

var (
	requestsPerSecond = metric{Unit: "req/s", HigherBetter: true}
	restartSeconds    = metric{Name: "restart", Unit: "s"}
)

// label is the metric as the table shows it, with an arrow pointing the
// better way: "req/s ↑", "RSS B/key ↓".
func (m metric) label() string {
	arrow := "↓"
	if m.HigherBetter {
		arrow = "↑"
	}
	return strings.TrimSpace(m.Name+" "+m.Unit) + " " + arrow
}

// format writes a value of the metric with the precision that means
// something for its unit.
func (m metric) format(v float64) string {
	switch {
	case m.Unit == "req/s":
		return strconv.FormatFloat(v, 'f', 0, 64)
	case m.Unit == "s":
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// outcome is what one server did in one row: a value per round, or the
// reason there are none.
type outcome struct {
	Values []float64 // one per round
	// P50ms and P99ms are redis-benchmark's latency percentiles per round,
	// in milliseconds; empty for rows that are not redis-benchmark tests.
	P50ms, P99ms []float64
	// Missing says why there are no numbers ("unsupported", "not durable
	// (DBSIZE after restart = 0)"); "" when Values holds them.
	Missing string
	// Note qualifies numbers that are not what they seem ("wrote nothing
	// to its dir" for a server asked to persist).
	Note string
}

// measured reports whether the outcome has numbers.
func (o *outcome) measured() bool { return o.Missing == "" && len(o.Values) > 0 }

// add appends one round's value.
func (o *outcome) add(v float64) { o.Values = append(o.Values, v) }

// row is one line of the report: the same quantity for both servers.
type row struct {
	Suite    string
	Test     string // "SET -P 16", "HSET fields", "restart with 1000000 keys"
	Metric   metric
	Redis    outcome
	Nebredis outcome
}

// outcome returns the row's outcome for a server kind.
func (r *row) outcome(k serverKind) *outcome {
	if k == redisKind {
		return &r.Redis
	}
	return &r.Nebredis
}

// ratio is nebredis's median over redis's, when both have numbers.
func (r *row) ratio() (float64, bool) {
	if !r.Redis.measured() || !r.Nebredis.measured() {
		return 0, false
	}
	red := median(r.Redis.Values)
	if red == 0 {
		return 0, false
	}
	return median(r.Nebredis.Values) / red, true
}

// spread is (max-min)/median of the values: how far apart the rounds are
// compared with the number reported. It is 0 for fewer than two rounds.
func spread(vs []float64) float64 {
	if len(vs) < 2 {
		return 0
	}
	m := median(vs)
	if m == 0 {
		return 0
	}
	return (slices.Max(vs) - slices.Min(vs)) / math.Abs(m)
}

// median of vs, the mean of the middle two for an even count; NaN for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// countLabel writes a count as people say it in a row name: 1000000 is
// "1M", 10000 "10k", 1500 "1500".
func countLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}
