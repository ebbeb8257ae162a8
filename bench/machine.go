package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine is where and with what the numbers were taken, for RESULTS.md:
// numbers mean little without it.
type machine struct {
	cpu          string // model name from /proc/cpuinfo
	cores        int
	memory       string // MemTotal from /proc/meminfo
	kernel       string
	loadAtStart  string // /proc/loadavg's 1, 5 and 15 minute averages
	loadAtEnd    string
	nebredis     string // git describe of the checkout that was built, or the binary given
	redisServer  string // redis-server --version
	redisBench   string // redis-benchmark --version
	goVersion    string // the toolchain that built nebredis
	nebredisNote string // set when the checkout has uncommitted changes
}

// describeMachine gathers the facts; prebuiltNebredis is the nebredis
// binary given instead of building the checkout, or "".
func describeMachine(ctx context.Context, root, redisServer, redisBenchmark, prebuiltNebredis string) machine {
	m := machine{
		cpu:         cpuModel(),
		cores:       runtime.NumCPU(),
		memory:      memTotal(),
		kernel:      strings.TrimSpace(readFirstLine("/proc/sys/kernel/osrelease")),
		loadAtStart: loadAverage(),
		redisServer: commandOutput(ctx, "", redisServer, "--version"),
		redisBench:  commandOutput(ctx, "", redisBenchmark, "--version"),
		goVersion:   commandOutput(ctx, root, "go", "env", "GOVERSION"),
	}
	if prebuiltNebredis != "" {
		m.nebredis = "the binary " + prebuiltNebredis
		m.nebredisNote = "given with -nebredis, not built from this checkout"
		return m
	}
	m.nebredis = commandOutput(ctx, root, "git", "describe", "--always", "--dirty", "--tags")
	if strings.HasSuffix(m.nebredis, "-dirty") {
		m.nebredisNote = "the checkout had uncommitted changes"
	}
	return m
}

// commandOutput is a command's trimmed output, or "unknown (why)".
func commandOutput(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("unknown (%s: %v)", name, err)
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
		if err != nil {
			return strings.TrimSpace(v)
		}
		return fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	return "unknown"
}

// loadAverage is the 1, 5 and 15 minute load averages: on a shared
// machine, what else was running.
func loadAverage() string {
	f := strings.Fields(readFirstLine("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func readFirstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}
