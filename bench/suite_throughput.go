package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// throughputSuite runs redis-benchmark's default tests against both
// servers, persistence off, at each pipeline depth, one test at a time and
// the two servers in turns.
type throughputSuite struct{}

func (throughputSuite) Name() string { return "throughput" }

// Bounds of a test's -n when it is sized by run time.
const (
	minSizedRequests = 5000
	maxSizedRequests = 5_000_000
)

// throughputCase is one redis-benchmark test at one pipeline depth.
type throughputCase struct {
	test     string // the -t name
	depth    int
	requests int // -n; 0 until sized
	missing  map[serverKind]string
	row      row
}

func (s throughputSuite) Run(ctx context.Context, e *env) ([]row, error) {
	servers := make(map[serverKind]*server)
	for _, k := range bothKinds {
		dir, err := e.newDir("throughput-" + string(k))
		if err != nil {
			return nil, err
		}
		srv, err := e.startServer(ctx, k, dir, noPersistence...)
		if err != nil {
			return nil, err
		}
		servers[k] = srv
	}
	tests, err := e.defaultBenchmarkTests(ctx, servers[redisKind])
	if err != nil {
		return nil, err
	}
	e.logf("throughput: redis-benchmark's default tests: %s", strings.Join(tests, ","))

	// Cases depth-major, the order they run in.
	var cases []*throughputCase
	for _, depth := range e.sizes.Pipelines {
		for _, t := range tests {
			cases = append(cases, &throughputCase{test: t, depth: depth, missing: make(map[serverKind]string)})
		}
	}
	// Ask each server up front which tests it has the commands for, so
	// that a missing command costs no redis-benchmark run; a test that
	// passes this check and is still refused is caught when it runs.
	for _, k := range bothKinds {
		for _, t := range tests {
			known, err := servers[k].knowsCommands(ctx, commandsOfTest(t)...)
			if err != nil {
				e.logf("throughput: COMMAND INFO on %s: %s; running %s to find out", k, brief(err), t)
				continue
			}
			if !known {
				for _, c := range cases {
					if c.test == t {
						c.missing[k] = "unsupported"
					}
				}
			}
		}
	}
	if err := s.sizeCases(ctx, e, servers, cases); err != nil {
		return nil, err
	}
	for _, c := range cases {
		c.row = row{Suite: s.Name(), Test: fmt.Sprintf("%s -P %d -n %d", strings.ToUpper(c.test), c.depth, c.requests),
			Metric: requestsPerSecond}
		for k, why := range c.missing {
			c.row.outcome(k).Missing = why
		}
	}
	// The table shows a test's depths side by side.
	rows := func() []row {
		var rows []row
		for _, t := range tests {
			for _, c := range cases {
				if c.test == t {
					rows = append(rows, c.row)
				}
			}
		}
		return rows
	}

	rounds := e.sizes.Rounds
	for r := 0; r < rounds; r++ {
		for i, c := range cases {
			if i == 0 || c.depth != cases[i-1].depth {
				// Every round and depth starts from empty servers, so the
				// lists and sets the tests fill are the same size each time.
				if err := flushBoth(ctx, servers); err != nil {
					return rows(), err
				}
			}
			load := benchmarkLoad{Test: c.test, Clients: e.sizes.Clients, Requests: c.requests,
				Pipeline: c.depth, Keyspace: e.sizes.Keyspace}
			for _, k := range roundOrder(r) {
				o := c.row.outcome(k)
				if o.Missing != "" {
					continue
				}
				res, err := e.runBenchmark(ctx, servers[k], load)
				if errors.Is(err, errRefused) {
					e.logf("throughput: %s refused %s: %s", k, c.row.Test, brief(err))
					o.Missing = "unsupported"
					continue
				}
				if err != nil {
					return rows(), err
				}
				o.add(res.RPS)
				o.P50ms = append(o.P50ms, res.P50ms)
				o.P99ms = append(o.P99ms, res.P99ms)
			}
			e.logf("throughput round %d/%d %-26s redis %s, nebredis %s", r+1, rounds, c.row.Test,
				lastRPS(c.row.Redis), lastRPS(c.row.Nebredis))
		}
	}
	return rows(), nil
}

// sizeCases sets every case's -n: the fixed Requests, or, with a RunTime,
// what the faster server answered in that long during a pilot run (which
// also warms both servers up, and finds tests a server refuses).
func (throughputSuite) sizeCases(ctx context.Context, e *env, servers map[serverKind]*server, cases []*throughputCase) error {
	if e.sizes.RunTime <= 0 {
		for _, c := range cases {
			c.requests = e.sizes.Requests
		}
		return nil
	}
	for i, c := range cases {
		if i == 0 || c.depth != cases[i-1].depth {
			if err := flushBoth(ctx, servers); err != nil {
				return err
			}
		}
		load := benchmarkLoad{Test: c.test, Clients: e.sizes.Clients, Requests: e.sizes.PilotRequests,
			Pipeline: c.depth, Keyspace: e.sizes.Keyspace}
		fastest := 0.0
		for _, k := range bothKinds {
			if c.missing[k] != "" {
				continue
			}
			res, err := e.runBenchmark(ctx, servers[k], load)
			if errors.Is(err, errRefused) {
				e.logf("throughput: %s refused %s -P %d: %s", k, c.test, c.depth, brief(err))
				c.missing[k] = "unsupported"
				continue
			}
			if err != nil {
				return err
			}
			fastest = max(fastest, res.RPS)
		}
		if fastest == 0 {
			continue // neither server runs it
		}
		c.requests = sizedRequests(fastest, e.sizes.RunTime)
		e.logf("throughput pilot %s -P %d: %.0f req/s at best, -n %d", strings.ToUpper(c.test), c.depth, fastest, c.requests)
	}
	return nil
}

// sizedRequests is the -n that lasts about runTime at rps requests per
// second, kept within bounds and rounded to two significant digits so the
// table reads easily.
func sizedRequests(rps float64, runTime time.Duration) int {
	n := min(max(rps*runTime.Seconds(), minSizedRequests), maxSizedRequests)
	scale := math.Pow(10, math.Floor(math.Log10(n))-1)
	return int(math.Round(n/scale) * scale)
}

// flushBoth empties both servers.
func flushBoth(ctx context.Context, servers map[serverKind]*server) error {
	for k, s := range servers {
		if err := s.client.FlushAll(ctx).Err(); err != nil {
			return fmt.Errorf("FLUSHALL %s: %w", k, err)
		}
	}
	return nil
}

// lastRPS is the latest round's requests per second, for progress lines.
func lastRPS(o outcome) string {
	if o.Missing != "" {
		return o.Missing
	}
	if len(o.Values) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f req/s", o.Values[len(o.Values)-1])
}
