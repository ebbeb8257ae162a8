package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// suites is every suite, in the order they run and appear in the report.
// A new suite is one file implementing suite, added here.
var suites = []suite{
	throughputSuite{},
	memorySuite{},
	durabilitySuite{},
}

func main() {
	var (
		suiteList = flag.String("suite", "all", `comma-separated suites to run: `+suiteNames()+`, or "all"`)
		quick     = flag.Bool("quick", false, "run every suite at a tiny size (seconds): proves the harness works, the numbers mean little")
		nebredis  = flag.String("nebredis", "", "measure this nebredis binary instead of building ./cmd/nebredis")
		out       = flag.String("out", "", "directory for RESULTS.md and results.png (default: bench/ of this module; \"-\" writes neither)")
		noisy     = flag.Float64("noisy", 0.20, "mark a row noisy when (max-min)/median over rounds exceeds this for either server")
		rounds    = flag.Int("rounds", 0, "A/B rounds of each timed measurement (0: 5, 1 with -quick)")
		requests  = flag.Int("n", 0, "redis-benchmark requests of every test, instead of sizing throughput tests by -runtime (0: 100000 for the durability SET runs, 2000 with -quick)")
		runTime   = flag.Duration("runtime", 0, "size each throughput test's requests so one run lasts about this long (0: 1s; 0 with -quick or -n, which fix the requests)")
		clients   = flag.Int("c", 50, "redis-benchmark clients")
		pipelines = flag.String("P", "1,16", "redis-benchmark pipeline depths of the throughput suite, comma-separated")
		keyspace  = flag.Int("r", 0, "redis-benchmark -r keyspace (0: leave -r out, every request hits one key as by default)")
		keys      = flag.Int("keys", 0, "string keys loaded by the memory and durability suites (0: 1000000, 10000 with -quick)")
		elements  = flag.Int("elements", 0, "elements of each collection in the memory suite (0: 1000000, 10000 with -quick)")
	)
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [flags]\n\n"+
			"Starts redis-server and a freshly built nebredis on loopback ports and compares them.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	selected, err := selectSuites(*suiteList)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	sz := fullSizes
	if *quick {
		sz = quickSizes
	}
	for _, override := range []struct {
		dst *int
		v   int
	}{{&sz.Rounds, *rounds}, {&sz.Requests, *requests}, {&sz.Keys, *keys}, {&sz.Elements, *elements}} {
		if override.v > 0 {
			*override.dst = override.v
		}
	}
	if *requests > 0 {
		sz.RunTime = 0
	}
	if *runTime > 0 {
		sz.RunTime = *runTime
		if sz.PilotRequests == 0 {
			sz.PilotRequests = fullSizes.PilotRequests
		}
	}
	sz.Clients = *clients
	sz.Keyspace = *keyspace
	if sz.Pipelines, err = parseInts(*pipelines); err == nil {
		err = sz.validate()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}

	// An interrupt ends run's context, which kills redis-benchmark; run's
	// deferred cleanup then kills the servers.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	outDir := *out
	if outDir == "" {
		root, err := moduleRoot(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		outDir = filepath.Join(root, "bench")
	} else if outDir == "-" {
		outDir = ""
	}
	_, err = run(ctx, options{
		Suites:         selected,
		Sizes:          sz,
		Nebredis:       *nebredis,
		NoisyThreshold: *noisy,
		OutDir:         outDir,
		CommandLine:    strings.Join(append([]string{"go run ./bench"}, os.Args[1:]...), " "),
		Stdout:         os.Stdout,
		Progress:       os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// selectSuites turns the -suite list into suites, in the order of suites.
func selectSuites(list string) ([]suite, error) {
	if strings.TrimSpace(list) == "all" {
		return suites, nil
	}
	want := make(map[string]bool)
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			want[name] = true
		}
	}
	var selected []suite
	for _, s := range suites {
		if want[s.Name()] {
			selected = append(selected, s)
			delete(want, s.Name())
		}
	}
	for name := range want {
		return nil, fmt.Errorf("no suite %q (have %s)", name, suiteNames())
	}
	if len(selected) == 0 {
		return nil, fmt.Errorf("-suite names no suite (have %s)", suiteNames())
	}
	return selected, nil
}

func suiteNames() string {
	var names []string
	for _, s := range suites {
		names = append(names, s.Name())
	}
	return strings.Join(names, ", ")
}

func parseInts(list string) ([]int, error) {
	var vs []int
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("-P %q: want positive depths such as 1,16", list)
		}
		vs = append(vs, v)
	}
	return vs, nil
}
