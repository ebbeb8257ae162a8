package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// report is everything RESULTS.md says about one run.
type report struct {
	Machine     machine
	Sizes       sizes
	Suites      []suite
	Rows        []row
	Failures    []error
	Noisy       float64 // spread above which a row is marked noisy
	CommandLine string
	Started     time.Time
	Elapsed     time.Duration
}

// writeMarkdown writes the report; chart, if not "", is the file name of
// the ratio chart beside it.
func (rep *report) writeMarkdown(w io.Writer, chart string) {
	m := rep.Machine
	sz := rep.Sizes
	fmt.Fprintf(w, "# nebredis vs redis-server\n\n")
	fmt.Fprintf(w, "Written by `go run ./bench` (see `bench/README.md`); run it again to replace this file and the chart.\n\n")
	fmt.Fprintf(w, "- Date: %s, the run took %s\n", rep.Started.UTC().Format("2006-01-02 15:04 MST"), rep.Elapsed.Round(time.Second))
	if rep.CommandLine != "" {
		fmt.Fprintf(w, "- Command: `%s`\n", rep.CommandLine)
	}
	fmt.Fprintf(w, "- Machine: %s, %d cores, %s RAM, Linux %s; load average %s at the start, %s at the end\n",
		m.cpu, m.cores, m.memory, m.kernel, m.loadAtStart, m.loadAtEnd)
	nebredis := m.nebredis
	if m.nebredisNote != "" {
		nebredis += " (" + m.nebredisNote + ")"
	}
	fmt.Fprintf(w, "- nebredis: %s, built with %s\n", nebredis, m.goVersion)
	fmt.Fprintf(w, "- redis-server: %s\n", m.redisServer)
	fmt.Fprintf(w, "- redis-benchmark: %s\n", m.redisBench)
	var names []string
	for _, s := range rep.Suites {
		names = append(names, s.Name())
	}
	fmt.Fprintf(w, "- Suites: %s; %d round(s) of each timed measurement, the servers taking turns\n",
		strings.Join(names, ", "), sz.Rounds)
	keyspace := "no -r (every request on the same key, redis-benchmark's default)"
	if sz.Keyspace > 0 {
		keyspace = fmt.Sprintf("-r %d", sz.Keyspace)
	}
	requests := fmt.Sprintf("-n %d", sz.Requests)
	if sz.RunTime > 0 {
		requests = fmt.Sprintf("throughput tests' -n (in the test column) sized so that a run lasts about %v at the faster server's speed in a %d-request pilot run, durability's -n %d",
			sz.RunTime, sz.PilotRequests, sz.Requests)
	}
	fmt.Fprintf(w, "- redis-benchmark: -c %d, %s, %s, -P %s; persistence off except in durability\n",
		sz.Clients, requests, keyspace, joinInts(sz.Pipelines, ","))
	fmt.Fprintf(w, "- memory and durability: %s string keys (16-byte keys, 32-byte values), collections of %s elements (16-byte members, 32-byte hash values), loaded through pipelines\n\n",
		countLabel(sz.Keys), countLabel(sz.Elements))

	rep.writeTable(w)

	fmt.Fprintf(w, "\nHow to read it: a cell is the median over rounds, with the min–max in brackets when there was more than one round. ")
	fmt.Fprintf(w, "neb/redis is nebredis's median over redis-server's: above 1 is better for metrics marked ↑, below 1 for those marked ↓. ")
	fmt.Fprintf(w, "p50 and p99 are redis-benchmark's latency percentiles in milliseconds (median over rounds), redis-server / nebredis. ")
	fmt.Fprintf(w, "Memory is growth per key or element: RSS from /proc/<pid>/status VmRSS, used_memory from INFO memory, each read before and after the load on a fresh server. ")
	fmt.Fprintf(w, "restart is the time from starting the server again on the same directory until DBSIZE shows every key; ")
	fmt.Fprintf(w, "\"wrote nothing to its dir\": the server ran the appendonly SET test without writing a byte to its directory, so it paid nothing for durability. ")
	fmt.Fprintf(w, "\"unsupported\": the server does not have the command (COMMAND INFO, or an error reply). ")
	fmt.Fprintf(w, "noisy: (max-min)/median over rounds above %.0f%% for a server; the servers and redis-benchmark share %d cores, so take such rows with care.\n",
		rep.Noisy*100, m.cores)

	if len(rep.Failures) > 0 {
		fmt.Fprintf(w, "\n## Failures\n\n")
		for _, err := range rep.Failures {
			fmt.Fprintf(w, "- %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		}
	}
	if chart != "" {
		fmt.Fprintf(w, "\n![nebredis/redis-server ratio per row](%s)\n", chart)
	}
}

// writeTable writes the rows as one Markdown table.
func (rep *report) writeTable(w io.Writer) {
	fmt.Fprintln(w, "| suite | test | metric | redis-server | nebredis | neb/redis | p50 ms | p99 ms | noisy |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|---|")
	for i := range rep.Rows {
		r := &rep.Rows[i]
		ratio := "—"
		if v, ok := r.ratio(); ok {
			ratio = strconv.FormatFloat(v, 'f', 2, 64)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.Suite, r.Test, r.Metric.label(),
			outcomeCell(r.Metric, r.Redis), outcomeCell(r.Metric, r.Nebredis), ratio,
			latencyCell(r.Redis.P50ms, r.Nebredis.P50ms), latencyCell(r.Redis.P99ms, r.Nebredis.P99ms),
			rep.noisyCell(r))
	}
}

// outcomeCell is "median (min–max)", or why there is no number.
func outcomeCell(m metric, o outcome) string {
	if o.Missing != "" {
		return o.Missing
	}
	if len(o.Values) == 0 {
		return "—"
	}
	cell := m.format(median(o.Values))
	if len(o.Values) > 1 {
		lo, hi := o.Values[0], o.Values[0]
		for _, v := range o.Values {
			lo, hi = min(lo, v), max(hi, v)
		}
		cell += " (" + m.format(lo) + "–" + m.format(hi) + ")"
	}
	if o.Note != "" {
		cell += ", " + o.Note
	}
	return cell
}

// latencyCell is "redis / nebredis" median latencies in milliseconds.
func latencyCell(redis, nebredis []float64) string {
	if len(redis) == 0 && len(nebredis) == 0 {
		return ""
	}
	ms := func(vs []float64) string {
		if len(vs) == 0 {
			return "—"
		}
		return strconv.FormatFloat(median(vs), 'f', 3, 64)
	}
	return ms(redis) + " / " + ms(nebredis)
}

// noisyCell names the servers whose rounds spread more than the threshold.
func (rep *report) noisyCell(r *row) string {
	var noisy []string
	for _, k := range bothKinds {
		o := r.outcome(k)
		if !o.measured() {
			continue
		}
		if sp := spread(o.Values); sp > rep.Noisy {
			noisy = append(noisy, fmt.Sprintf("%s %.0f%%", k, sp*100))
		}
	}
	if len(noisy) == 0 {
		return ""
	}
	return "noisy: " + strings.Join(noisy, ", ")
}

func joinInts(vs []int, sep string) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, sep)
}
