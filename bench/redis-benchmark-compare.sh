#!/usr/bin/env bash
# redis-benchmark-compare.sh runs the same redis-benchmark load against
# redis-server and nebredis, taking turns, and prints a table of requests per
# second, their ratio and the p99 latencies.
#
# Both servers are started on free loopback ports (persistence off) and
# stopped on exit; nebredis is built from this checkout first. For each
# pipeline depth and each round, the two servers are measured one after the
# other, the order flipping every round so neither always runs on a warmer
# machine; the table shows the mean over rounds.
#
# usage: bench/redis-benchmark-compare.sh [-n requests] [-c clients]
#        [-t tests] [-P "depths"] [-r rounds] [-d datasize]
#   defaults: -n 200000 -c 50 -t set,get,incr,mset -P "1 16" -r 3 -d 3
# Needs redis-server, redis-benchmark, redis-cli, python3 and go.
set -euo pipefail

requests=200000
clients=50
tests=set,get,incr,mset
depths="1 16"
rounds=3
datasize=3
while getopts "n:c:t:P:r:d:h" opt; do
	case $opt in
	n) requests=$OPTARG ;;
	c) clients=$OPTARG ;;
	t) tests=$OPTARG ;;
	P) depths=$OPTARG ;;
	r) rounds=$OPTARG ;;
	d) datasize=$OPTARG ;;
	*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done

for bin in redis-server redis-benchmark redis-cli python3 go; do
	command -v "$bin" >/dev/null || { echo "$0: $bin not found" >&2; exit 1; }
done

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_ready() { # port name
	for _ in $(seq 100); do
		if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; then return 0; fi
		sleep 0.1
	done
	echo "$0: $2 on port $1 did not answer PING" >&2
	exit 1
}

echo "building nebredis..." >&2
(cd "$repo" && go build -o "$work/nebredis" ./cmd/nebredis)

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
	--daemonize no --logfile "$work/redis.log" &
pids+=($!)
neb_port=$(free_port)
mkdir "$work/data"
"$work/nebredis" --port "$neb_port" --bind 127.0.0.1 --dir "$work/data" \
	--logfile "$work/nebredis.log" &
pids+=($!)
wait_ready "$redis_port" redis-server
wait_ready "$neb_port" nebredis

# run_one server port depth appends "server,depth,test,rps,p99" lines.
run_one() {
	redis-cli -p "$2" flushall >/dev/null
	redis-benchmark -h 127.0.0.1 -p "$2" -t "$tests" -c "$clients" -n "$requests" \
		-d "$datasize" -P "$3" --csv |
		awk -F'","' -v s="$1" -v p="$3" 'NR > 1 {
			gsub(/"/, ""); split($0, f, ",")
			print s "," p "," f[1] "," f[2] "," f[7]
		}' >>"$work/results.csv"
}

echo "redis-benchmark -t $tests -c $clients -n $requests -d $datasize, $rounds round(s), servers alternating" >&2
for depth in $depths; do
	for round in $(seq "$rounds"); do
		if [ $((round % 2)) -eq 1 ]; then order="redis nebredis"; else order="nebredis redis"; fi
		for server in $order; do
			echo "  -P $depth round $round: $server" >&2
			if [ "$server" = redis ]; then port=$redis_port; else port=$neb_port; fi
			run_one "$server" "$port" "$depth"
		done
	done
done

redis_version=$(redis-server --version | awk '{sub("v=", "", $3); print $3}')
echo
echo "redis-server $redis_version vs nebredis ($(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis-benchmark -c $clients -n $requests -d $datasize; rps and p99 are means over $rounds round(s)"
awk -F, '
	{
		k = $3 SUBSEP $2
		if (!(k in seen)) { seen[k] = 1; order[++n] = k }
		rps[$1, k] += $4; p99[$1, k] += $5; cnt[$1, k]++
	}
	END {
		printf "%-16s %3s %12s %12s %7s %11s %11s\n", "test", "-P", "redis rps", "nebredis rps", "neb/red", "redis p99", "neb p99"
		for (i = 1; i <= n; i++) {
			k = order[i]; split(k, parts, SUBSEP)
			r = rps["redis", k] / cnt["redis", k]; nb = rps["nebredis", k] / cnt["nebredis", k]
			printf "%-16s %3s %12.0f %12.0f %7.2f %9.3fms %9.3fms\n", parts[1], parts[2], r, nb, (r > 0 ? nb / r : 0),
				p99["redis", k] / cnt["redis", k], p99["nebredis", k] / cnt["nebredis", k]
		}
	}' "$work/results.csv"
