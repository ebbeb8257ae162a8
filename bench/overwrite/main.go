package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

type settings struct {
	duration    time.Duration
	interval    time.Duration
	maxMemory   int64
	fill        float64
	keySize     int
	valSize     int
	segmentSize int64
	shards      int
	workers     int
	policy      engine.Policy
	seed        uint64
	baseline    time.Duration
	zipf        float64
	cpuProfile  string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "overwrite:", err)
		os.Exit(2)
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "overwrite:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "overwrite:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "overwrite:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (settings, error) {
	fs := flag.NewFlagSet("overwrite", flag.ContinueOnError)
	var cfg settings
	var maxMemory, segmentSize, policy string
	fs.DurationVar(&cfg.duration, "duration", 60*time.Second, "how long to overwrite")
	fs.DurationVar(&cfg.interval, "interval", 5*time.Second, "sampling and reporting interval")
	fs.StringVar(&maxMemory, "maxmemory", "1gb", "maxmemory, with redis.conf units (1k=1000, 1kb=1024, gb, ...)")
	fs.Float64Var(&cfg.fill, "fill", 0.9, "share of maxmemory the live keyspace takes")
	fs.IntVar(&cfg.keySize, "keysize", 16, "key length in bytes")
	fs.IntVar(&cfg.valSize, "valsize", 100, "value length in bytes")
	fs.StringVar(&segmentSize, "segment-size", "0", "engine segment size, with units; 0 = engine default")
	fs.IntVar(&cfg.shards, "shards", 0, "engine shards (power of two); 0 = engine default")
	fs.IntVar(&cfg.workers, "workers", 2*runtime.GOMAXPROCS(0), "writer goroutines")
	fs.StringVar(&policy, "policy", "noeviction", "maxmemory-policy")
	fs.Uint64Var(&cfg.seed, "seed", 0, "random seed; 0 picks one (it is printed)")
	fs.Float64Var(&cfg.zipf, "zipf", 0, "pick keys with a Zipf distribution of this exponent (> 1; hot keys first) instead of uniformly; 0 = uniform")
	fs.DurationVar(&cfg.baseline, "baseline", 0, "first run the same overwrites this long with no maxmemory and no cleaner, "+
		"to measure the throughput the cleaner costs; 0 skips it")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured run to this file")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	mm, err := config.ParseMemory(maxMemory)
	cfg.maxMemory = int64(mm)
	if err != nil || cfg.maxMemory <= 0 {
		return cfg, fmt.Errorf("bad -maxmemory %q", maxMemory)
	}
	ss, err := config.ParseMemory(segmentSize)
	cfg.segmentSize = int64(ss)
	if err != nil {
		return cfg, fmt.Errorf("bad -segment-size %q", segmentSize)
	}
	var ok bool
	if cfg.policy, ok = engine.ParsePolicy(policy); !ok {
		return cfg, fmt.Errorf("unknown -policy %q", policy)
	}
	if cfg.fill <= 0 || cfg.fill >= 1 {
		return cfg, fmt.Errorf("-fill must be in (0, 1), got %v", cfg.fill)
	}
	if cfg.keySize < 8 || cfg.valSize < 0 || cfg.workers < 1 || cfg.interval <= 0 {
		return cfg, errors.New("need -keysize >= 8, -valsize >= 0, -workers >= 1, -interval > 0")
	}
	if cfg.zipf != 0 && cfg.zipf <= 1 {
		return cfg, fmt.Errorf("-zipf must be > 1, got %v", cfg.zipf)
	}
	if cfg.seed == 0 {
		cfg.seed = rand.Uint64()
	}
	return cfg, nil
}

// makeKey writes key number i into dst: decimal digits right-aligned in a
// zero-padded buffer of len(dst), so every key has the same size.
func makeKey(dst []byte, i int) []byte {
	for p := len(dst) - 1; p >= 0; p-- {
		dst[p] = byte('0' + i%10)
		i /= 10
	}
	return dst
}

// worker counters, padded so writers on different cores do not share a line.
type workerStats struct {
	ops, fails atomic.Int64
	// ensureNanos is time spent in EnsureMemory calls made while over
	// maxmemory: the cleaning (or evicting) writers do synchronously, which
	// the engine's CleanerNanos does not count.
	ensureNanos atomic.Int64
	_           [40]byte
}

type sample struct {
	at          time.Time
	ops, fails  int64
	ensureNanos int64
	stats       engine.Stats
	cpu         time.Duration // process user+system time
	rss         int64
}

func takeSample(e *engine.Engine, ws []workerStats) sample {
	s := sample{at: time.Now(), stats: e.Stats(), cpu: processCPU(), rss: engine.ProcessRSS()}
	for i := range ws {
		s.ops += ws[i].ops.Load()
		s.fails += ws[i].fails.Load()
		s.ensureNanos += ws[i].ensureNanos.Load()
	}
	return s
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(cfg settings) error {
	dist := "uniform"
	if cfg.zipf > 1 {
		dist = fmt.Sprintf("zipf(%g)", cfg.zipf)
	}
	fmt.Printf("overwrite: maxmemory=%d (%.0f MiB) policy=%s fill=%.2f key=%dB value=%dB keys=%s segment-size=%s shards=%s workers=%d GOMAXPROCS=%d seed=%d\n",
		cfg.maxMemory, mib(cfg.maxMemory), cfg.policy, cfg.fill, cfg.keySize, cfg.valSize, dist,
		orDefault(cfg.segmentSize), orDefault(int64(cfg.shards)), cfg.workers, runtime.GOMAXPROCS(0), cfg.seed)
	var baseline float64
	if cfg.baseline > 0 {
		var err error
		if baseline, err = runBaseline(cfg); err != nil {
			return err
		}
	}

	e, err := engine.Open(engine.Options{
		MaxMemory:   cfg.maxMemory,
		Policy:      cfg.policy,
		SegmentSize: int(cfg.segmentSize),
		Shards:      cfg.shards,
		Databases:   1,
	})
	if err != nil {
		return err
	}
	defer e.Close()
	keys, entryBytes, err := fill(e, cfg)
	if err != nil {
		return err
	}

	ws := make([]workerStats, cfg.workers)
	stopWorkers := startWorkers(e, cfg, keys, ws)
	fmt.Printf("%6s %9s %7s %6s %9s %8s %8s %6s %8s %6s %8s %8s\n",
		"t", "ops/s", "fails", "util", "used MiB", "used/max", "rss MiB", "segs", "copy MiB", "copy/", "bg clean", "writers in")
	fmt.Printf("%6s %9s %7s %6s %9s %8s %8s %6s %8s %6s %8s %8s\n",
		"", "", "", "", "", "", "", "bg", "", "write", "/cpu", "Ensure")
	start := takeSample(e, ws)
	prev := start
	var minUtil, sumUtil float64 = 1, 0
	var maxUsed, maxRSS int64
	samples := 0
	deadline := start.at.Add(cfg.duration)
	tick := time.NewTicker(cfg.interval)
	for now := range tick.C {
		cur := takeSample(e, ws)
		printRow(cfg, entryBytes, start, prev, cur)
		u := cur.stats.Utilization()
		minUtil = min(minUtil, u)
		sumUtil += u
		samples++
		maxUsed = max(maxUsed, cur.stats.Used)
		maxRSS = max(maxRSS, cur.rss)
		prev = cur
		if !now.Before(deadline) {
			break
		}
	}
	tick.Stop()
	stopWorkers()
	end := takeSample(e, ws)

	wall := end.at.Sub(start.at)
	ops := end.ops - start.ops
	fails := end.fails - start.fails
	st, st0 := end.stats, start.stats
	written := float64(ops) * entryBytes
	copied := float64(st.CleanerCopied - st0.CleanerCopied)
	bgNanos := float64(st.CleanerNanos - st0.CleanerNanos)
	fgNanos := float64(end.ensureNanos - start.ensureNanos)
	cpu := float64(end.cpu - start.cpu)
	cores := float64(runtime.GOMAXPROCS(0))
	cleaned := st.CleanedSegments - st0.CleanedSegments
	tput := float64(ops) / wall.Seconds()
	fmt.Println()
	fmt.Printf("%-18s %v\n", "wall", wall.Round(time.Millisecond))
	fmt.Printf("%-18s %d ok, %d failed (ErrOOM)\n", "writes", ops, fails)
	fmt.Printf("%-18s %.0f ops/s\n", "throughput", tput)
	if baseline > 0 {
		fmt.Printf("%-18s %.0f ops/s without maxmemory or cleaner: cleaning costs %.1f%% of throughput\n", "baseline", baseline, 100*(1-tput/baseline))
	}
	fmt.Printf("%-18s min %.3f, avg %.3f over %d samples, end %.3f\n", "utilization", minUtil, sumUtil/float64(max(samples, 1)), samples, st.Utilization())
	fmt.Printf("%-18s max sampled %.1f MiB, peak %.1f MiB of maxmemory %.1f MiB (peak/max %.4f)\n", "used", mib(maxUsed), mib(st.Peak), mib(cfg.maxMemory), float64(st.Peak)/float64(cfg.maxMemory))
	fmt.Printf("%-18s max sampled %.1f MiB\n", "rss", mib(maxRSS))
	fmt.Printf("%-18s background %.2f s (Stats.CleanerNanos) = %.1f%% of process CPU (%.2f s), %.1f%% of wall x GOMAXPROCS\n",
		"cleaner time", bgNanos/1e9, 100*bgNanos/max(cpu, 1), cpu/1e9, 100*bgNanos/(float64(wall)*cores))
	fmt.Printf("%-18s writers spent %.2f s = %.1f%% of their time in EnsureMemory while over maxmemory\n",
		"", fgNanos/1e9, 100*fgNanos/(float64(wall)*float64(cfg.workers)))
	fmt.Printf("%-18s %.1f MiB copied for %.1f MiB written: %.3f copied/written, write amplification %.3f\n",
		"cleaner copies", copied/(1<<20), written/(1<<20), copied/max(written, 1), (written+copied)/max(written, 1))
	// In a steady state the log neither grows nor shrinks, so every byte
	// written or copied took the place of a byte freed by cleaning, and the
	// cleaned segments' live share was copied/(written+copied).
	fmt.Printf("%-18s %.3f on average (steady state: copied/(written+copied))\n", "victim utilization", copied/max(written+copied, 1))
	fmt.Printf("%-18s %d by the background cleaner (Stats.CleanedSegments; EnsureMemory's are not counted)\n", "cleaned segments", cleaned)
	return nil
}

// fill stores sequential keys until the engine's own accounting reaches
// fill x maxmemory, so the keyspace is sized by what the engine really
// spends per key. It returns the key count and the log bytes per entry.
func fill(e *engine.Engine, cfg settings) (int, float64, error) {
	target := int64(cfg.fill * float64(cfg.maxMemory))
	key := make([]byte, cfg.keySize)
	val := make([]byte, cfg.valSize)
	start := time.Now()
	keys := 0
	for e.Used() < target {
		if err := e.Set(0, makeKey(key, keys), val, 0); err != nil {
			return 0, 0, fmt.Errorf("fill: %w", err)
		}
		keys++
	}
	st := e.Stats()
	entryBytes := float64(st.Live) / float64(keys)
	fmt.Printf("fill: %d keys in %v; used=%.1f MiB (log %.1f + index %.1f), %.1f log bytes/entry, %.1f used bytes/key\n\n",
		keys, time.Since(start).Round(time.Millisecond), mib(st.Used), mib(st.Segments), mib(st.Index),
		entryBytes, float64(st.Used)/float64(keys))
	return keys, entryBytes, nil
}

// startWorkers starts cfg.workers goroutines overwriting random keys below
// keys, as the server runs SET: EnsureMemory first, and an ErrOOM fails the
// write. The returned function stops them and waits.
func startWorkers(e *engine.Engine, cfg settings, keys int, ws []workerStats) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	maxMemory, _ := e.MaxMemory()
	for w := range ws {
		wg.Add(1)
		go func(st *workerStats, stream uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.seed, stream))
			pick := func() int { return rng.IntN(keys) }
			if cfg.zipf > 1 {
				z := rand.NewZipf(rng, cfg.zipf, 1, uint64(keys-1))
				pick = func() int { return int(z.Uint64()) }
			}
			key := make([]byte, cfg.keySize)
			val := make([]byte, cfg.valSize)
			var ops, fails, ensureNanos int64
			for {
				for n := 0; n < 256; n++ {
					// Vary the value so no two writes are byte-identical.
					binary.LittleEndian.PutUint64(val[:min(8, len(val))], uint64(ops))
					var err error
					if maxMemory > 0 && e.Used() > maxMemory {
						t0 := time.Now()
						err = e.EnsureMemory()
						ensureNanos += int64(time.Since(t0))
					} else {
						err = e.EnsureMemory()
					}
					if err == nil {
						err = e.Set(0, makeKey(key, pick()), val, 0)
					}
					if err != nil {
						fails++
						continue
					}
					ops++
				}
				st.ops.Store(ops)
				st.fails.Store(fails)
				st.ensureNanos.Store(ensureNanos)
				select {
				case <-done:
					return
				default:
				}
			}
		}(&ws[w], uint64(w)+1)
	}
	return func() {
		close(done)
		wg.Wait()
	}
}

// runBaseline runs the same overwrites with no maxmemory and no background
// cleaner (memory grows freely) and returns the throughput: what the
// workload costs without any cleaning.
func runBaseline(cfg settings) (float64, error) {
	e, err := engine.Open(engine.Options{
		SegmentSize:     int(cfg.segmentSize),
		Shards:          cfg.shards,
		Databases:       1,
		CleanerInterval: -1,
	})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	keys, _, err := fill(e, cfg)
	if err != nil {
		return 0, err
	}
	ws := make([]workerStats, cfg.workers)
	stop := startWorkers(e, cfg, keys, ws)
	start := takeSample(e, ws)
	time.Sleep(cfg.baseline)
	end := takeSample(e, ws)
	stop()
	tput := float64(end.ops-start.ops) / end.at.Sub(start.at).Seconds()
	fmt.Printf("baseline: %.0f ops/s for %v with no maxmemory and no cleaner (used grew to %.1f MiB)\n\n",
		tput, cfg.baseline, mib(end.stats.Used))
	return tput, nil
}

// printRow prints one interval: "segs bg" and "bg clean" are the
// background cleaner's segments and share of process CPU, "writers in
// Ensure" the share of the writers' time spent in EnsureMemory while over
// maxmemory (cleaning synchronously, or waiting for the shard locks to do so).
func printRow(cfg settings, entryBytes float64, start, prev, cur sample) {
	dt := cur.at.Sub(prev.at).Seconds()
	st, pst := cur.stats, prev.stats
	copied := float64(st.CleanerCopied - pst.CleanerCopied)
	written := float64(cur.ops-prev.ops) * entryBytes
	bg := float64(st.CleanerNanos - pst.CleanerNanos)
	fg := float64(cur.ensureNanos - prev.ensureNanos)
	cpu := max(float64(cur.cpu-prev.cpu), 1)
	fmt.Printf("%5.0fs %9.0f %7d %6.3f %9.1f %8.4f %8.1f %6d %8.1f %6.2f %7.1f%% %7.1f%%\n",
		cur.at.Sub(start.at).Seconds(), float64(cur.ops-prev.ops)/dt, cur.fails-prev.fails,
		st.Utilization(), mib(st.Used), float64(st.Used)/float64(cfg.maxMemory), mib(cur.rss),
		st.CleanedSegments-pst.CleanedSegments, copied/(1<<20), copied/max(written, 1),
		100*bg/cpu, 100*fg/(dt*1e9*float64(cfg.workers)))
}

func segmentSize(cfg settings) int64 {
	if cfg.segmentSize == 0 {
		return 8 << 20 // engine.Options' default
	}
	return cfg.segmentSize
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func orDefault(n int64) string {
	if n == 0 {
		return "default"
	}
	return strconv.FormatInt(n, 10)
}
