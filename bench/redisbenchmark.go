package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchmarkLoad is one redis-benchmark invocation's settings.
type benchmarkLoad struct {
	Test     string // a -t name: "set", "lrange_100"
	Clients  int    // -c
	Requests int    // -n
	Pipeline int    // -P
	Keyspace int    // -r; 0 leaves it out
}

// benchmarkResult is redis-benchmark's CSV line for one test.
type benchmarkResult struct {
	RPS          float64
	P50ms, P99ms float64
}

// errRefused is a redis-benchmark run that the server stopped with an
// error reply while it kept running: it does not have the command, or
// refuses it.
var errRefused = errors.New("the server answered with an error")

// benchmarkTimeout bounds one redis-benchmark run, so a wedged server
// fails the suite instead of hanging the harness.
const benchmarkTimeout = 5 * time.Minute

// runBenchmark runs one redis-benchmark test against s and returns the
// line of its CSV output for that test. redis-benchmark exits on the first
// error reply, so an error wrapping errRefused means the server refused the
// test's commands; any other error means the run itself failed.
func (e *env) runBenchmark(ctx context.Context, s *server, load benchmarkLoad) (benchmarkResult, error) {
	out, stderr, err := e.redisBenchmarkCSV(ctx, s, load)
	if err != nil {
		if s.running() && s.client.Ping(ctx).Err() == nil {
			return benchmarkResult{}, fmt.Errorf("%w: %s", errRefused, firstLine(stderr))
		}
		return benchmarkResult{}, fmt.Errorf("redis-benchmark -t %s against %s: %w: %s; server log: %s",
			load.Test, s.kind, err, firstLine(stderr), s.logTail())
	}
	results, err := parseBenchmarkCSV(out)
	if err != nil {
		return benchmarkResult{}, err
	}
	// A test can print more than one line (lrange_* first runs
	// "LPUSH (needed to benchmark LRANGE)"); the test's own line is the
	// one whose name, up to the first space, is the -t name.
	for _, r := range results {
		if strings.EqualFold(r.name, load.Test) {
			return r.benchmarkResult, nil
		}
	}
	return benchmarkResult{}, fmt.Errorf("redis-benchmark -t %s printed no %s line:\n%s", load.Test, load.Test, out)
}

// redisBenchmarkCSV runs redis-benchmark --csv and returns its output.
func (e *env) redisBenchmarkCSV(ctx context.Context, s *server, load benchmarkLoad) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, benchmarkTimeout)
	defer cancel()
	args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port),
		"-c", strconv.Itoa(load.Clients), "-n", strconv.Itoa(load.Requests),
		"-P", strconv.Itoa(max(load.Pipeline, 1)), "--csv"}
	if load.Test != "" {
		args = append(args, "-t", load.Test)
	}
	if load.Keyspace > 0 {
		args = append(args, "-r", strconv.Itoa(load.Keyspace))
	}
	cmd := exec.CommandContext(ctx, e.redisBenchmark, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("timed out after %v", benchmarkTimeout)
	}
	return out.Bytes(), errOut.Bytes(), err
}

// defaultBenchmarkTests lists, as -t names in order, the tests the
// installed redis-benchmark runs when given no -t (for 7.0: ping_inline,
// ping_mbulk, set, get, incr, lpush, …, lrange_600, mset), by running each
// once against s. Reading the list instead of writing it down keeps the
// suite equal to whatever redis-benchmark the machine has.
func (e *env) defaultBenchmarkTests(ctx context.Context, s *server) ([]string, error) {
	out, stderr, err := e.redisBenchmarkCSV(ctx, s, benchmarkLoad{Clients: 1, Requests: 1, Pipeline: 1})
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark --csv -n 1 against %s: %w: %s", s.kind, err, firstLine(stderr))
	}
	results, err := parseBenchmarkCSV(out)
	if err != nil {
		return nil, err
	}
	var tests []string
	for _, r := range results {
		// The lrange tests' LPUSH fill comes out as a second LPUSH line.
		if t := strings.ToLower(r.name); !slices.Contains(tests, t) {
			tests = append(tests, t)
		}
	}
	if len(tests) == 0 {
		return nil, fmt.Errorf("redis-benchmark printed no tests:\n%s", out)
	}
	return tests, nil
}

// commandsOfTest are the commands a redis-benchmark test sends: the part
// of its name before "_" (PING_INLINE, LRANGE_100), and for the lrange
// tests the LPUSH that fills the list first.
func commandsOfTest(test string) []string {
	cmd, _, _ := strings.Cut(strings.ToUpper(test), "_")
	if cmd == "LRANGE" {
		return []string{"LPUSH", "LRANGE"}
	}
	return []string{cmd}
}

// namedBenchmarkResult is one CSV line with the test's name, up to its
// first space ("LRANGE_100 (first 100 elements)" → "LRANGE_100").
type namedBenchmarkResult struct {
	name string
	benchmarkResult
}

// parseBenchmarkCSV reads redis-benchmark 7's --csv output, whose header
// names the columns: "test","rps","avg_latency_ms",…,"p50_latency_ms",
// …,"p99_latency_ms",….
func parseBenchmarkCSV(out []byte) ([]namedBenchmarkResult, error) {
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark CSV: %w\n%s", err, out)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("redis-benchmark printed no CSV:\n%s", out)
	}
	column := make(map[string]int)
	for i, name := range records[0] {
		column[name] = i
	}
	for _, name := range []string{"test", "rps", "p50_latency_ms", "p99_latency_ms"} {
		if _, ok := column[name]; !ok {
			return nil, fmt.Errorf("redis-benchmark CSV has no %q column (redis-benchmark 7 or later is needed): %q", name, records[0])
		}
	}
	var results []namedBenchmarkResult
	for _, rec := range records[1:] {
		if len(rec) != len(records[0]) {
			return nil, fmt.Errorf("redis-benchmark CSV line %q does not match header %q", rec, records[0])
		}
		name, _, _ := strings.Cut(rec[column["test"]], " ")
		var r namedBenchmarkResult
		r.name = name
		for _, f := range []struct {
			col string
			dst *float64
		}{{"rps", &r.RPS}, {"p50_latency_ms", &r.P50ms}, {"p99_latency_ms", &r.P99ms}} {
			v, err := strconv.ParseFloat(rec[column[f.col]], 64)
			if err != nil {
				return nil, fmt.Errorf("redis-benchmark CSV %s of %s: %w", f.col, name, err)
			}
			*f.dst = v
		}
		results = append(results, r)
	}
	return results, nil
}

// firstLine is the first non-empty line of a program's error output.
func firstLine(b []byte) string {
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return "(no output)"
}
