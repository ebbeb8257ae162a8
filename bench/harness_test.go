package main

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nebredis/nebredis/internal/testenv"
)

var nebredisBinary = flag.String("nebredis", "", "measure this nebredis binary instead of building ./cmd/nebredis")

// TestQuickRun runs every suite at -quick size against both servers, as CI
// does to prove the harness still works; it judges no timing.
func TestQuickRun(t *testing.T) {
	testenv.LookPath(t, "redis-server")
	testenv.LookPath(t, "redis-benchmark")
	if testing.Short() {
		t.Skip("starts servers and runs redis-benchmark; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	out := t.TempDir()
	var stdout bytes.Buffer
	rows, err := run(ctx, options{
		Suites:         suites,
		Sizes:          quickSizes,
		Nebredis:       *nebredisBinary,
		NoisyThreshold: 0.2,
		OutDir:         out,
		CommandLine:    "go test ./bench",
		Stdout:         &stdout,
		Progress:       testLogWriter{t},
	})
	if err != nil {
		t.Fatal(err)
	}

	perSuite := make(map[string]int)
	for _, r := range rows {
		perSuite[r.Suite]++
		// redis-server has every command and persists: every row has
		// numbers for it, whatever nebredis lacks.
		if !r.Redis.measured() {
			t.Errorf("%s %s %s: redis-server has no numbers (%q)", r.Suite, r.Test, r.Metric.label(), r.Redis.Missing)
		}
		if !r.Nebredis.measured() && r.Nebredis.Missing == "" {
			t.Errorf("%s %s %s: nebredis has neither numbers nor a reason", r.Suite, r.Test, r.Metric.label())
		}
	}
	for _, s := range suites {
		if perSuite[s.Name()] == 0 {
			t.Errorf("no row for suite %s", s.Name())
		}
	}
	// nebredis has had strings from the start: these rows must have
	// numbers for both servers.
	for _, want := range []struct{ suite, test string }{
		{"throughput", "SET -P 1"},
		{"throughput", "GET -P 16"},
		{"memory", countLabel(quickSizes.Keys) + " string keys (SET)"},
		{"durability", "SET appendfsync always"},
	} {
		found := false
		for _, r := range rows {
			// Throughput tests are named with their -n: "SET -P 1 -n 2000".
			if r.Suite == want.suite && (r.Test == want.test || strings.HasPrefix(r.Test, want.test+" -n ")) {
				found = true
				if _, ok := r.ratio(); !ok {
					t.Errorf("%s %s: no ratio (redis %q, nebredis %q)", want.suite, want.test, r.Redis.Missing, r.Nebredis.Missing)
				}
			}
		}
		if !found {
			t.Errorf("no row %s %s", want.suite, want.test)
		}
	}

	md, err := os.ReadFile(filepath.Join(out, "RESULTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(md, stdout.Bytes()) {
		t.Error("RESULTS.md differs from what was printed")
	}
	for _, want := range []string{"| suite | test | metric |", "| throughput | SET -P 1 -n 2000 |", "| memory |", "| durability |", "redis-server: Redis server v="} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("RESULTS.md lacks %q:\n%s", want, md)
		}
	}
	f, err := os.Open(filepath.Join(out, "results.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width < 100 || cfg.Height < 100 {
		t.Errorf("results.png: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
}

// testLogWriter sends the harness's progress lines to the test log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestSelectSuites(t *testing.T) {
	for _, tc := range []struct {
		list    string
		want    string // suite names, comma-separated; "" for an error
		wantErr bool
	}{
		{list: "all", want: "throughput,memory,durability"},
		{list: "durability,throughput", want: "throughput,durability"},
		{list: " memory ", want: "memory"},
		{list: "memory,graph", wantErr: true},
		{list: ",", wantErr: true},
	} {
		got, err := selectSuites(tc.list)
		if (err != nil) != tc.wantErr {
			t.Errorf("selectSuites(%q): error %v, want error %v", tc.list, err, tc.wantErr)
			continue
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Name())
		}
		if strings.Join(names, ",") != tc.want {
			t.Errorf("selectSuites(%q) = %v, want %s", tc.list, names, tc.want)
		}
	}
}
