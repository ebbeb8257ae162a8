// Command overwrite measures the engine under sustained overwrites close to
// maxmemory: a fixed keyspace filled to -fill of -maxmemory is overwritten
// at random by -workers goroutines for -duration, while a sampler prints,
// once per -interval, the throughput, the log utilization, the memory used
// and what the cleaner cost. It drives the engine in-process, exactly as the
// server does for SET: EnsureMemory, then Set.
//
// The default policy is noeviction on purpose. Overwrites with values of a
// fixed size never grow the live data, so a healthy engine never needs to
// evict; every ErrOOM is the cleaner failing to turn garbage back into
// headroom in time, and it is counted as a failed write. An eviction policy
// would hide that by deleting keys, shrinking the keyspace and flattering
// the utilization.
//
//	go run ./bench/overwrite -duration 60s -maxmemory 1gb -fill 0.9 -valsize 100
package main
