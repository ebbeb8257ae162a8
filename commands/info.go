package commands

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nebredis/nebredis/engine"
)

// InfoField is one "name:value" line of INFO.
type InfoField struct {
	Name, Value string
}

// infoSections are INFO's sections in output order; default ones are
// printed by a bare INFO.
var infoSections = []struct {
	name       string
	header     string
	inDefault  bool
	everything bool // only with "everything" (not "all")
}{
	{"server", "Server", true, false},
	{"clients", "Clients", true, false},
	{"memory", "Memory", true, false},
	{"persistence", "Persistence", true, false},
	{"stats", "Stats", true, false},
	{"replication", "Replication", true, false},
	{"cpu", "CPU", true, false},
	{"modules", "Modules", true, false},
	{"commandstats", "Commandstats", false, false},
	{"errorstats", "Errorstats", true, false},
	{"cluster", "Cluster", true, false},
	{"keyspace", "Keyspace", true, false},
}

// SetInfoSection makes INFO print fn's fields for a section instead of the
// built-in ones (persistence reports its own state, cluster mode its
// own). Call it while building the server, before it serves connections.
func (s *Server) SetInfoSection(name string, fn func() []InfoField) {
	if s.infoOverrides == nil {
		s.infoOverrides = make(map[string]func() []InfoField)
	}
	s.infoOverrides[strings.ToLower(name)] = fn
}

func infoCommandRow() *Command {
	return &Command{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale, Categories: []string{"dangerous"},
		Group: "server", Since: "1.0.0", Summary: "Get information and statistics about the server",
		Complexity: "O(1)",
		Tips:       []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		History:    [][2]string{{"7.0.0", "Added support for taking multiple section arguments."}},
		Args:       []ArgDoc{{Name: "section", Type: "string", Optional: true, Multiple: true}},
		Handler: func(c *Ctx) {
			c.W.WriteVerbatim("txt", c.Srv.Info(c.Args[1:]...))
		}}
}

// Info renders INFO for the given section names (none: the default ones).
func (s *Server) Info(sections ...[]byte) string {
	want := make(map[string]bool)
	all, everything := false, false
	if len(sections) == 0 {
		want["default"] = true
	}
	for _, sec := range sections {
		name := strings.ToLower(string(sec))
		want[name] = true
		all = all || name == "all"
		everything = everything || name == "everything"
	}
	var b strings.Builder
	for _, sec := range infoSections {
		if !(want[sec.name] || everything || (all && !sec.everything) || (want["default"] && sec.inDefault)) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.header + "\r\n")
		var fields []InfoField
		if fn := s.infoOverrides[sec.name]; fn != nil {
			fields = fn()
		} else {
			fields = s.infoSection(sec.name)
		}
		for _, f := range fields {
			b.WriteString(f.Name)
			b.WriteByte(':')
			b.WriteString(f.Value)
			b.WriteString("\r\n")
		}
	}
	return b.String()
}

func (s *Server) infoSection(name string) []InfoField {
	switch name {
	case "server":
		return s.infoServer()
	case "clients":
		cfg := s.Config()
		return []InfoField{
			{"connected_clients", itoa(int64(s.ClientCount()))},
			{"cluster_connections", "0"},
			{"maxclients", itoa(int64(cfg.MaxClients))},
			{"client_recent_max_input_buffer", "0"},
			{"client_recent_max_output_buffer", "0"},
			{"blocked_clients", itoa(int64(s.BlockedClients()))},
			{"tracking_clients", "0"},
			{"clients_in_timeout_table", "0"},
		}
	case "memory":
		return s.infoMemory()
	case "persistence":
		cfg := s.Config()
		return []InfoField{
			{"loading", "0"}, {"async_loading", "0"},
			{"current_cow_peak", "0"}, {"current_cow_size", "0"}, {"current_cow_size_age", "0"},
			{"current_fork_perc", "0.00"}, {"current_save_keys_processed", "0"}, {"current_save_keys_total", "0"},
			{"rdb_changes_since_last_save", "0"},
			{"rdb_bgsave_in_progress", "0"},
			{"rdb_last_save_time", itoa(s.lastSave.Load())},
			{"rdb_last_bgsave_status", "ok"},
			{"rdb_last_bgsave_time_sec", "-1"},
			{"rdb_current_bgsave_time_sec", "-1"},
			{"rdb_saves", "0"},
			{"rdb_last_cow_size", "0"},
			{"aof_enabled", boolDigit(cfg.AppendOnly)},
			{"aof_rewrite_in_progress", "0"},
			{"aof_rewrite_scheduled", "0"},
			{"aof_last_rewrite_time_sec", "-1"},
			{"aof_current_rewrite_time_sec", "-1"},
			{"aof_last_bgrewrite_status", "ok"},
			{"aof_rewrites", "0"},
			{"aof_last_write_status", "ok"},
			{"aof_last_cow_size", "0"},
		}
	case "stats":
		return s.infoStats()
	case "replication":
		return []InfoField{
			{"role", "master"},
			{"connected_slaves", "0"},
			{"master_failover_state", "no-failover"},
			{"master_replid", s.runID},
			{"master_replid2", strings.Repeat("0", 40)},
			{"master_repl_offset", "0"},
			{"second_repl_offset", "-1"},
			{"repl_backlog_active", "0"},
			{"repl_backlog_size", "1048576"},
			{"repl_backlog_first_byte_offset", "0"},
			{"repl_backlog_histlen", "0"},
		}
	case "cpu":
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		secs := func(tv syscall.Timeval) string {
			return strconv.FormatFloat(float64(tv.Sec)+float64(tv.Usec)/1e6, 'f', 6, 64)
		}
		return []InfoField{
			{"used_cpu_sys", secs(ru.Stime)},
			{"used_cpu_user", secs(ru.Utime)},
			{"used_cpu_sys_children", "0.000000"},
			{"used_cpu_user_children", "0.000000"},
		}
	case "commandstats":
		return s.infoCommandStats()
	case "errorstats":
		var out []InfoField
		for _, e := range s.stats.errorCounts() {
			out = append(out, InfoField{"errorstat_" + e[0].(string), "count=" + itoa(e[1].(int64))})
		}
		return out
	case "cluster":
		return []InfoField{{"cluster_enabled", "0"}}
	case "keyspace":
		var out []InfoField
		if s.Engine == nil {
			return nil
		}
		for db := 0; db < s.Engine.Databases(); db++ {
			n := s.Engine.DBSize(db)
			if n == 0 {
				continue
			}
			out = append(out, InfoField{"db" + itoa(int64(db)),
				"keys=" + itoa(int64(n)) + ",expires=" + itoa(int64(s.Engine.KeysWithExpiry(db))) + ",avg_ttl=0"})
		}
		return out
	}
	return nil
}

func (s *Server) infoServer() []InfoField {
	cfg := s.Config()
	now := time.Now()
	up := int64(now.Sub(s.started) / time.Second)
	exe, _ := os.Executable()
	return []InfoField{
		{"redis_version", Version},
		{"nebredis_version", NebredisVersion},
		{"redis_git_sha1", "00000000"},
		{"redis_git_dirty", "0"},
		{"redis_build_id", "0"},
		{"redis_mode", "standalone"},
		{"os", osDescription()},
		{"arch_bits", strconv.Itoa(strconv.IntSize)},
		{"monotonic_clock", "POSIX clock_gettime"},
		{"multiplexing_api", "epoll"},
		{"go_version", runtime.Version()},
		{"process_id", itoa(int64(os.Getpid()))},
		{"process_supervised", "no"},
		{"run_id", s.runID},
		{"tcp_port", itoa(int64(cfg.Port))},
		{"server_time_usec", itoa(now.UnixMicro())},
		{"uptime_in_seconds", itoa(up)},
		{"uptime_in_days", itoa(up / 86400)},
		{"hz", itoa(int64(cfg.Hz))},
		{"configured_hz", itoa(int64(cfg.Hz))},
		{"lru_clock", itoa(now.Unix() & (1<<24 - 1))},
		{"executable", exe},
		{"config_file", s.ConfigFile},
		{"io_threads_active", "0"},
	}
}

// usedMemory is INFO's used_memory: the engine's data plus the rest of
// the Go heap.
func (s *Server) usedMemory() int64 {
	used := s.mem.goHeap()
	if s.Engine != nil {
		used = s.Engine.Used() + s.heapOutsideEngine()
	}
	for {
		p := s.memPeak.Load()
		if used <= p || s.memPeak.CompareAndSwap(p, used) {
			return used
		}
	}
}

func (s *Server) infoMemory() []InfoField {
	used := s.usedMemory()
	peak := max(s.memPeak.Load(), used)
	heap := s.mem.goHeap()
	rss := rssBytes()
	cfg := s.Config()
	var es engineStats
	if s.Engine != nil {
		st := s.Engine.Stats()
		es = engineStats{st.Segments, st.Live, st.Index, st.Utilization(), st.CleanedSegments, st.CleanerCopied}
	}
	dataset := es.segments
	frag := 0.0
	if used > 0 {
		frag = float64(rss) / float64(used)
	}
	perc := func(a, b int64) string {
		if b <= 0 {
			return "0.00%"
		}
		return strconv.FormatFloat(100*float64(a)/float64(b), 'f', 2, 64) + "%"
	}
	total := totalSystemMemory()
	return []InfoField{
		{"used_memory", itoa(used)},
		{"used_memory_human", bytesToHuman(used)},
		{"used_memory_rss", itoa(rss)},
		{"used_memory_rss_human", bytesToHuman(rss)},
		{"used_memory_peak", itoa(peak)},
		{"used_memory_peak_human", bytesToHuman(peak)},
		{"used_memory_peak_perc", perc(used, peak)},
		{"used_memory_overhead", itoa(used - dataset)},
		{"used_memory_startup", "0"},
		{"used_memory_dataset", itoa(dataset)},
		{"used_memory_dataset_perc", perc(dataset, used)},
		{"total_system_memory", itoa(total)},
		{"total_system_memory_human", bytesToHuman(total)},
		{"maxmemory", itoa(cfg.MaxMemory)},
		{"maxmemory_human", bytesToHuman(cfg.MaxMemory)},
		{"maxmemory_policy", cfg.MaxMemoryPolicy},
		{"mem_fragmentation_ratio", strconv.FormatFloat(frag, 'f', 2, 64)},
		{"mem_fragmentation_bytes", itoa(rss - used)},
		{"mem_not_counted_for_evict", itoa(heap)},
		{"mem_allocator", "go-" + runtime.Version() + "+segments"},
		{"lazyfree_pending_objects", "0"},
		{"lazyfreed_objects", "0"},
		{"engine_segments_bytes", itoa(es.segments)},
		{"engine_live_bytes", itoa(es.live)},
		{"engine_index_bytes", itoa(es.index)},
		{"engine_utilization", strconv.FormatFloat(es.utilization, 'f', 2, 64)},
		{"go_heap_bytes", itoa(heap)},
	}
}

type engineStats struct {
	segments, live, index int64
	utilization           float64
	cleaned, copied       int64
}

func (s *Server) infoStats() []InfoField {
	var expired, evicted, cleaned, copied int64
	if s.Engine != nil {
		st := s.Engine.Stats()
		expired, evicted, cleaned, copied = st.ExpiredKeys, st.EvictedKeys, st.CleanedSegments, st.CleanerCopied
	}
	ops := s.stats.commands.Load()
	psChannels, psPatterns, psShard := s.pubsubCounts()
	return []InfoField{
		{"total_connections_received", itoa(s.stats.connections.Load())},
		{"total_commands_processed", itoa(ops)},
		{"instantaneous_ops_per_sec", itoa(s.stats.ops.rate(int64(time.Since(s.started)), ops))},
		{"total_net_input_bytes", itoa(s.stats.netIn.Load())},
		{"total_net_output_bytes", itoa(s.stats.netOut.Load())},
		{"instantaneous_input_kbps", "0.00"},
		{"instantaneous_output_kbps", "0.00"},
		{"rejected_connections", itoa(s.stats.rejectedCon.Load())},
		{"sync_full", "0"},
		{"sync_partial_ok", "0"},
		{"sync_partial_err", "0"},
		{"expired_keys", itoa(expired)},
		{"expired_stale_perc", "0.00"},
		{"expired_time_cap_reached_count", "0"},
		{"evicted_keys", itoa(evicted)},
		{"evicted_clients", "0"},
		{"keyspace_hits", itoa(s.stats.hits.Load())},
		{"keyspace_misses", itoa(s.stats.misses.Load())},
		{"pubsub_channels", itoa(psChannels)},
		{"pubsub_patterns", itoa(psPatterns)},
		{"pubsubshard_channels", itoa(psShard)},
		{"latest_fork_usec", "0"},
		{"total_forks", "0"},
		{"migrate_cached_sockets", "0"},
		{"unexpected_error_replies", "0"},
		{"total_error_replies", itoa(s.stats.errReplies.Load())},
		{"engine_cleaned_segments", itoa(cleaned)},
		{"engine_cleaner_copied_bytes", itoa(copied)},
	}
}

func (s *Server) infoCommandStats() []InfoField {
	var out []InfoField
	add := func(cmd *Command) {
		st := cmd.stats
		calls, nanos := st.calls.Load(), st.nanos.Load()
		rejected, failed := st.rejected.Load(), st.failed.Load()
		if calls == 0 && rejected == 0 && failed == 0 {
			return
		}
		usec := nanos / 1000
		perCall := 0.0
		if calls > 0 {
			perCall = float64(nanos) / 1000 / float64(calls)
		}
		out = append(out, InfoField{"cmdstat_" + cmd.FullName(),
			"calls=" + itoa(calls) + ",usec=" + itoa(usec) +
				",usec_per_call=" + strconv.FormatFloat(perCall, 'f', 2, 64) +
				",rejected_calls=" + itoa(rejected) + ",failed_calls=" + itoa(failed)})
	}
	for _, cmd := range s.Table.All() {
		add(cmd)
		for _, sc := range cmd.Subcommands() {
			add(sc)
		}
	}
	return out
}

// resetStats is CONFIG RESETSTAT.
func (s *Server) resetStats() {
	s.stats.reset()
	s.stats.ops.reset()
	s.memPeak.Store(0)
	for _, cmd := range s.Table.All() {
		cmd.stats.reset()
		for _, sc := range cmd.Sub {
			sc.stats.reset()
		}
	}
	if s.Engine != nil {
		s.Engine.ResetStats()
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// bytesToHuman formats a size as Redis's INFO does: 1023B, 1.50K, 2.00M...
func bytesToHuman(n int64) string {
	if n < 1024 {
		return itoa(n) + "B"
	}
	units := []string{"K", "M", "G", "T", "P", "E"}
	d := float64(n) / 1024
	i := 0
	for d >= 1024 && i < len(units)-1 {
		d /= 1024
		i++
	}
	return strconv.FormatFloat(d, 'f', 2, 64) + units[i]
}

func rssBytes() int64 { return engine.ProcessRSS() }
