package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// A suite measures one aspect of both servers. Run starts the servers it
// needs through env (which stops any it leaves running) and returns one row
// per measured quantity.
type suite interface {
	Name() string
	Run(ctx context.Context, env *env) ([]row, error)
}

// sizes is how much work each suite does.
type sizes struct {
	Rounds int // A/B rounds of every timed measurement
	// Requests is redis-benchmark's -n for the durability suite's SET
	// runs, and for every throughput test when RunTime is 0.
	Requests int
	// RunTime sizes each throughput test instead: its -n is what the
	// faster server answers in about this long, measured by a pilot run
	// of PilotRequests requests. A fixed -n makes a run of LRANGE_600 take
	// a hundred times longer than one of pipelined GET, so the slow tests
	// would eat the time and the fast ones would be over too soon to
	// measure.
	RunTime       time.Duration
	PilotRequests int

	Clients   int   // redis-benchmark -c
	Pipelines []int // redis-benchmark -P depths of the throughput suite
	Keyspace  int   // redis-benchmark -r; 0 leaves it out (every request hits the same key, redis-benchmark's default)
	Keys      int   // string keys loaded by the memory and durability suites
	Elements  int   // members of each collection in the memory suite

	// Settle is how long a server sits idle before and after a load
	// before its memory is read, so that the read sees no load in flight.
	Settle time.Duration
	// RestartGrace is how long a restarted server that answers DBSIZE
	// with too few keys is still polled before it is called not durable.
	RestartGrace time.Duration
}

// fullSizes finish every suite in well under 20 minutes on 2 cores.
var fullSizes = sizes{
	Rounds:        5,
	Requests:      100_000,
	RunTime:       time.Second,
	PilotRequests: 5000,
	Clients:       50,
	Pipelines:     []int{1, 16},
	Keys:          1_000_000,
	Elements:      1_000_000,
	Settle:        2 * time.Second,
	RestartGrace:  10 * time.Second,
}

// quickSizes only prove that every suite still runs, in seconds.
var quickSizes = sizes{
	Rounds:       1,
	Requests:     2000,
	Clients:      50,
	Pipelines:    []int{1, 16},
	Keys:         10_000,
	Elements:     10_000,
	Settle:       100 * time.Millisecond,
	RestartGrace: time.Second,
}

// validate rejects sizes a suite cannot run with.
func (sz sizes) validate() error {
	switch {
	case sz.Rounds < 1:
		return errors.New("rounds must be at least 1")
	case sz.Requests < 1, sz.Clients < 1:
		return errors.New("redis-benchmark needs at least 1 request and 1 client")
	case sz.RunTime < 0, sz.RunTime > 0 && sz.PilotRequests < 1:
		return errors.New("a run time needs a positive pilot size")
	case len(sz.Pipelines) == 0:
		return errors.New("no pipeline depth")
	case sz.Keyspace < 0:
		return errors.New("keyspace (-r) must not be negative")
	case sz.Keys < 1, sz.Elements < 1:
		return errors.New("keys and elements must be at least 1")
	}
	return nil
}

// options configure one run of the harness.
type options struct {
	Suites []suite
	Sizes  sizes
	// NoisyThreshold marks a row noisy when (max-min)/median over rounds
	// exceeds it for either server.
	NoisyThreshold float64
	// Nebredis is a nebredis binary to measure instead of building
	// ./cmd/nebredis from the module ("" builds it).
	Nebredis string
	// OutDir receives RESULTS.md and results.png; "" writes neither.
	OutDir string
	// CommandLine is how the run was asked for, quoted in RESULTS.md.
	CommandLine string
	Stdout      io.Writer // the Markdown report
	Progress    io.Writer // what is running now
}

// env is what a suite gets: the binaries, the sizes, a place for files and
// a way to start servers that are all stopped when the run ends.
type env struct {
	sizes          sizes
	redisServer    string // path of redis-server
	redisBenchmark string // path of redis-benchmark
	nebredis       string // path of the freshly built nebredis
	workDir        string // removed when the run ends

	progress io.Writer
	start    time.Time
	servers  []*server // every server started, stopped by stopAll
	dirs     int       // directories handed out by newDir
}

// logf prints a progress line with the time since the run started.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.progress, "[%6s] %s\n", time.Since(e.start).Round(time.Second), fmt.Sprintf(format, args...))
}

// brief is an error's text cut to one readable progress line: a refused
// pipeline's error quotes the start of a long command.
func brief(err error) string {
	const limit = 120
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

// newDir returns a new empty directory for one server's files.
func (e *env) newDir(name string) (string, error) {
	e.dirs++
	d := filepath.Join(e.workDir, fmt.Sprintf("%02d-%s", e.dirs, name))
	return d, os.MkdirAll(d, 0o755)
}

// binary is the executable for a server kind.
func (e *env) binary(k serverKind) string {
	if k == redisKind {
		return e.redisServer
	}
	return e.nebredis
}

// stopAll kills every server still running.
func (e *env) stopAll() {
	for _, s := range e.servers {
		s.stop()
	}
	e.servers = nil
}

// run builds nebredis, runs the suites in order, prints the report and
// writes RESULTS.md and results.png into opts.OutDir. A suite that fails
// does not stop the others: its error is reported and returned at the end.
func run(ctx context.Context, opts options) ([]row, error) {
	if err := opts.Sizes.validate(); err != nil {
		return nil, err
	}
	redisServer, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is needed (apt-get install redis-server): %w", err)
	}
	redisBenchmark, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return nil, fmt.Errorf("redis-benchmark is needed (apt-get install redis-tools): %w", err)
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	workDir, err := os.MkdirTemp("", "nebredis-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(workDir)

	e := &env{
		sizes:          opts.Sizes,
		redisServer:    redisServer,
		redisBenchmark: redisBenchmark,
		workDir:        workDir,
		progress:       opts.Progress,
		start:          time.Now(),
	}
	defer e.stopAll()

	if opts.Nebredis != "" {
		if e.nebredis, err = filepath.Abs(opts.Nebredis); err != nil {
			return nil, err
		}
	} else {
		e.logf("building nebredis from %s", root)
		e.nebredis = filepath.Join(workDir, "nebredis")
		build := exec.CommandContext(ctx, "go", "build", "-o", e.nebredis, "./cmd/nebredis")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./cmd/nebredis: %w\n%s", err, out)
		}
	}

	machine := describeMachine(ctx, root, redisServer, redisBenchmark, opts.Nebredis)
	var rows []row
	var failures []error
	for _, s := range opts.Suites {
		e.logf("suite %s", s.Name())
		got, err := s.Run(ctx, e)
		e.stopAll()
		rows = append(rows, got...)
		if err != nil {
			if ctx.Err() != nil {
				return rows, ctx.Err()
			}
			e.logf("suite %s failed: %v", s.Name(), err)
			failures = append(failures, fmt.Errorf("suite %s: %w", s.Name(), err))
		}
	}
	machine.loadAtEnd = loadAverage()
	elapsed := time.Since(e.start)
	e.logf("done")

	rep := report{
		Machine:     machine,
		Sizes:       opts.Sizes,
		Suites:      opts.Suites,
		Rows:        rows,
		Failures:    failures,
		Noisy:       opts.NoisyThreshold,
		CommandLine: opts.CommandLine,
		Started:     e.start,
		Elapsed:     elapsed,
	}
	var md bytes.Buffer
	rep.writeMarkdown(&md, "results.png")
	if _, err := opts.Stdout.Write(md.Bytes()); err != nil {
		return rows, err
	}
	if opts.OutDir != "" {
		if err := os.WriteFile(filepath.Join(opts.OutDir, "RESULTS.md"), md.Bytes(), 0o644); err != nil {
			return rows, err
		}
		if err := writeRatioChart(filepath.Join(opts.OutDir, "results.png"), rows); err != nil {
			return rows, fmt.Errorf("results.png: %w", err)
		}
		e.logf("wrote %s and %s", filepath.Join(opts.OutDir, "RESULTS.md"), filepath.Join(opts.OutDir, "results.png"))
	}
	return rows, errors.Join(failures...)
}

// moduleRoot is the directory of the nebredis module, wherever in it the
// harness was started (go run ./bench from the root, go test in bench/).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the nebredis module: run from the repository")
	}
	return filepath.Dir(gomod), nil
}
