package main

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// memorySuite loads each data set into a fresh server of each kind and
// reports what the load cost per key or element: RSS growth (what the
// machine gives the process) and INFO used_memory growth (what the server
// counts against maxmemory). A fresh server per data set keeps memory an
// allocator holds on to from one data set out of the next one's numbers.
//
// Memory barely moves between runs, so it is measured once, not in rounds.
type memorySuite struct{}

func (memorySuite) Name() string { return "memory" }

// memoryDataSet is one thing the suite loads.
type memoryDataSet struct {
	test  string // row name
	per   string // "key" or "element"
	size  int
	load  func(ctx context.Context, c *redis.Client) error
	count func(ctx context.Context, c *redis.Client) (int64, error)
}

func (s memorySuite) Run(ctx context.Context, e *env) ([]row, error) {
	keys, elements := e.sizes.Keys, e.sizes.Elements
	sets := []memoryDataSet{{
		test: countLabel(keys) + " string keys (SET)",
		per:  "key",
		size: keys,
		load: func(ctx context.Context, c *redis.Client) error { return loadStrings(ctx, c, keys) },
		count: func(ctx context.Context, c *redis.Client) (int64, error) {
			return c.DBSize(ctx).Result()
		},
	}}
	for _, coll := range collections {
		sets = append(sets, memoryDataSet{
			test:  countLabel(elements) + " " + coll.noun,
			per:   "element",
			size:  elements,
			load:  func(ctx context.Context, c *redis.Client) error { return coll.load(ctx, c, elements) },
			count: coll.count,
		})
	}

	var rows []row
	for _, ds := range sets {
		rss := row{Suite: s.Name(), Test: ds.test, Metric: metric{Name: "RSS", Unit: "B/" + ds.per}}
		used := row{Suite: s.Name(), Test: ds.test, Metric: metric{Name: "used_memory", Unit: "B/" + ds.per}}
		for _, k := range bothKinds {
			growth, err := e.memoryGrowth(ctx, k, ds)
			switch {
			case err == nil:
				rss.outcome(k).add(float64(growth.rss) / float64(ds.size))
				used.outcome(k).add(float64(growth.used) / float64(ds.size))
				e.logf("memory %s %s: %d in %v: RSS %+.1f MiB, used_memory %+.1f MiB",
					ds.test, k, ds.size, growth.loadTime.Round(time.Millisecond),
					float64(growth.rss)/(1<<20), float64(growth.used)/(1<<20))
			case isErrorReply(err):
				// The server refused the load: it lacks the type.
				e.logf("memory %s %s unsupported: %s", ds.test, k, brief(err))
				rss.outcome(k).Missing = "unsupported"
				used.outcome(k).Missing = "unsupported"
			default:
				return append(rows, rss, used), err
			}
		}
		rows = append(rows, rss, used)
	}
	return rows, nil
}

// memoryGrowthResult is what loading one data set added.
type memoryGrowthResult struct {
	rss, used int64 // bytes
	loadTime  time.Duration
}

// memoryGrowth starts a fresh server of kind with persistence off, reads
// its memory, loads ds, checks it all arrived, and reads memory again.
func (e *env) memoryGrowth(ctx context.Context, k serverKind, ds memoryDataSet) (memoryGrowthResult, error) {
	dir, err := e.newDir("memory-" + string(k))
	if err != nil {
		return memoryGrowthResult{}, err
	}
	srv, err := e.startServer(ctx, k, dir, noPersistence...)
	if err != nil {
		return memoryGrowthResult{}, err
	}
	defer srv.stop()

	readMemory := func() (rss, used int64, err error) {
		time.Sleep(e.sizes.Settle)
		if rss, err = srv.rss(); err != nil {
			return 0, 0, err
		}
		used, err = srv.infoField(ctx, "memory", "used_memory")
		return rss, used, err
	}
	rss0, used0, err := readMemory()
	if err != nil {
		return memoryGrowthResult{}, err
	}
	start := time.Now()
	if err := ds.load(ctx, srv.client); err != nil {
		return memoryGrowthResult{}, err
	}
	loadTime := time.Since(start)
	n, err := ds.count(ctx, srv.client)
	if err != nil {
		return memoryGrowthResult{}, err
	}
	if n != int64(ds.size) {
		return memoryGrowthResult{}, fmt.Errorf("%s on %s: %d loaded, server counts %d", ds.test, k, ds.size, n)
	}
	rss1, used1, err := readMemory()
	if err != nil {
		return memoryGrowthResult{}, err
	}
	return memoryGrowthResult{rss: rss1 - rss0, used: used1 - used0, loadTime: loadTime}, nil
}
