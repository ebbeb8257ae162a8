package commands

import (
	"flag"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var zsetsDiffSeed = flag.Uint64("zsets.seed", 0, "seed for the random sorted-set differential cases (0: random)")

func TestZsetStrtod(t *testing.T) {
	for _, tc := range []struct {
		in     string
		v      float64
		n      int
		erange bool
	}{
		{"1", 1, 1, false},
		{" \t+1.5e2x", 150, 8, false},
		{"-.5", -0.5, 3, false},
		{"5.", 5, 2, false},
		{".", 0, 0, false},
		{"", 0, 0, false},
		{"e5", 0, 0, false},
		{"1e", 1, 1, false},
		{"1e+", 1, 1, false},
		{"1e-2", 0.01, 4, false},
		{"0x", 0, 1, false},
		{"-0x", math.Copysign(0, -1), 2, false},
		{"0x1p", 1, 3, false},
		{"0x1.8p1", 3, 7, false},
		{"0X.8P-1", 0.25, 7, false},
		{"inf", math.Inf(1), 3, false},
		{"-Infinity", math.Inf(-1), 9, false},
		{"infinit", math.Inf(1), 3, false},
		{"nan", math.NaN(), 3, false},
		{"nan(abc_1)x", math.NaN(), 10, false},
		{"nan(abc", math.NaN(), 3, false},
		{"1e400", math.Inf(1), 5, true},
		{"1e-400", 0, 6, true},
		{"0e-400", 0, 6, false},
		{"4.9e-324", 5e-324, 8, false},
		{"1\x002", 1, 1, false},
	} {
		v, n, erange := strtod([]byte(tc.in))
		same := v == tc.v && math.Signbit(v) == math.Signbit(tc.v) || math.IsNaN(v) && math.IsNaN(tc.v)
		if !same || n != tc.n || erange != tc.erange {
			t.Errorf("strtod(%q) = %v, %d, %v; want %v, %d, %v", tc.in, v, n, erange, tc.v, tc.n, tc.erange)
		}
	}
	for in, ok := range map[string]bool{
		"1": true, "-inf": true, "1e-320": true, "0x10": true,
		"": false, " 1": false, "1 ": false, "nan": false, "1e400": false, "1e-400": false, "1\x00": false,
	} {
		if _, got := parseZScore([]byte(in)); got != ok {
			t.Errorf("parseZScore(%q) ok = %v, want %v", in, got, ok)
		}
	}
	for in, want := range map[string]float64{"": 0, "(": 0, " 1": 1, "(1e400": math.Inf(1), "\x001": 0, "2\x00x": 2} {
		if v, _, ok := parseZBound([]byte(in)); !ok || v != want {
			t.Errorf("parseZBound(%q) = %v, %v; want %v", in, v, ok, want)
		}
	}
	for _, in := range []string{"1 ", "x", "nan", "(nan", "((1"} {
		if _, _, ok := parseZBound([]byte(in)); ok {
			t.Errorf("parseZBound(%q) accepted", in)
		}
	}
}

func TestAppendZScanScore(t *testing.T) {
	for _, tc := range []struct {
		f        float64
		listpack bool
		want     string
	}{
		{1, true, "1"},
		{1, false, "1"},
		{0.1, true, "0.10000000000000001"},
		{123456789012345678, true, "123456789012345680"},
		{123456789012345678, false, "1.2345678901234568e+17"},
		{1 << 62, true, "4611686018427387904"},
		{1<<62 + 1024, true, "4.6116860184273889e+18"},
		{math.Copysign(0, -1), false, "-0"},
		{math.Inf(-1), true, "-inf"},
	} {
		if got := string(appendZScanScore(nil, tc.f, tc.listpack)); got != tc.want {
			t.Errorf("appendZScanScore(%v, %v) = %q, want %q", tc.f, tc.listpack, got, tc.want)
		}
	}
}

// TestZrankWithScore runs Redis 7.2's ZRANK ... WITHSCORE through the
// handler directly: the 7.0 row's arity keeps the dispatcher from passing
// four arguments.
func TestZrankWithScore(t *testing.T) {
	ts := newStringsTestServer(t, nil)
	ts.run("ZADD z 1 a 2.5 b")
	call := func(args ...string) string {
		var w zsetsTestWriter
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		cmd := ts.srv.Table.Lookup(b[0])
		cmd.Handler(&Ctx{Srv: ts.srv, Sess: ts.sess, Args: b, W: &w, Cmd: cmd})
		return w.String()
	}
	for _, tc := range []struct{ cmd, want string }{
		{"ZRANK z b WITHSCORE", "*2\r\n:1\r\n$3\r\n2.5\r\n"},
		{"ZREVRANK z b withscore", "*2\r\n:0\r\n$3\r\n2.5\r\n"},
		{"ZRANK z nope WITHSCORE", "*-1\r\n"},
		{"ZRANK nokey a WITHSCORE", "*-1\r\n"},
		{"ZRANK z a WITHSCORES", sErr(ErrSyntax)},
		{"ZRANK z a WITHSCORE x", sErr(WrongArgs("zrank"))},
		{"ZRANK z a", ":0\r\n"},
	} {
		if got := call(splitStringsCmd(tc.cmd)...); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

// zsetsTestWriter is stringsTestWriter with Redis's spelling of infinite
// doubles.
type zsetsTestWriter struct{ stringsTestWriter }

func (w *zsetsTestWriter) WriteDouble(f float64) {
	switch {
	case math.IsInf(f, 1):
		w.WriteBulkString("inf")
	case math.IsInf(f, -1):
		w.WriteBulkString("-inf")
	default:
		w.stringsTestWriter.WriteDouble(f)
	}
}

// zsetsDiff sends the same commands to redis-server and to our Server and
// compares the RESP2 replies.
type zsetsDiff struct {
	t     *testing.T
	redis *redisConn
	ours  *stringsTestServer
	n     int
	errs  int // error replies among them
}

func (d *zsetsDiff) check(args ...string) {
	d.t.Helper()
	d.n++
	want := d.redis.do(d.t, args...)
	if strings.HasPrefix(want, "-") {
		d.errs++
	}
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	var w zsetsTestWriter
	d.ours.srv.Exec(d.ours.sess, b, &w)
	if got := w.String(); got != want {
		d.t.Errorf("%q:\n redis: %q\n  ours: %q", args, want, got)
	}
}

// zsetsRandom builds random sorted-set commands over a few keys, with the
// scores and bounds that make Redis's parsing and formatting differ from
// a naive implementation.
type zsetsRandom struct{ r *rand.Rand }

var zsetsKeys = []string{"z1", "z2", "z3"}

func (g zsetsRandom) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g zsetsRandom) key() string { return zsetsKeys[g.r.IntN(len(zsetsKeys))] }

func (g zsetsRandom) member() string {
	if g.r.IntN(40) == 0 {
		return strings.Repeat("long", 17) // past zset-max-listpack-value
	}
	return g.pick("a", "b", "c", "d", "e", "f", "g", "h", "", "aa", "b\x00", "m1", "m2", "m10")
}

func (g zsetsRandom) score() string {
	switch g.r.IntN(6) {
	case 0:
		return randomFloatArg(g.r)
	case 1:
		return strconv.Itoa(g.r.IntN(11) - 5)
	}
	return g.pick("0", "-0", "1", "-1", "1.5", "0.1", "0.2", "0.3", "1e20", "inf", "-inf", "2", "3", "-2.5",
		"1e-5", "123456789012345678", "0x10", "4611686018427387904", "1e308")
}

func (g zsetsRandom) bound() string {
	switch g.r.IntN(5) {
	case 0:
		return "(" + g.score()
	case 1:
		return g.pick("-inf", "+inf", "(-inf", "(+inf", "", "(", " 1", "1 ", "x", "nan")
	}
	return g.score()
}

func (g zsetsRandom) lexBound() string {
	switch g.r.IntN(4) {
	case 0:
		return g.pick("-", "+", "", "a", "+x", "[", "(")
	case 1:
		return "(" + g.member()
	}
	return "[" + g.member()
}

func (g zsetsRandom) rank() string {
	if g.r.IntN(10) == 0 {
		return g.pick("x", "9223372036854775807", "-9223372036854775808", "1.5")
	}
	return strconv.Itoa(g.r.IntN(21) - 10)
}

func (g zsetsRandom) maybe(args []string, opts ...string) []string {
	for _, o := range opts {
		if g.r.IntN(4) == 0 {
			args = append(args, o)
		}
	}
	return args
}

func (g zsetsRandom) limit(args []string) []string {
	if g.r.IntN(3) == 0 {
		args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(6)-1), strconv.Itoa(g.r.IntN(6)-1))
	}
	return args
}

// command returns one random command.
func (g zsetsRandom) command() []string {
	k := g.key()
	switch g.r.IntN(24) {
	case 0, 1, 2:
		args := g.maybe([]string{"ZADD", k}, "NX", "XX", "GT", "LT", "CH", "INCR")
		for n := 1 + g.r.IntN(3); n > 0; n-- {
			args = append(args, g.score(), g.member())
		}
		return args
	case 3:
		return []string{"ZINCRBY", k, g.score(), g.member()}
	case 4:
		return []string{"ZREM", k, g.member(), g.member()}
	case 5:
		return []string{"ZSCORE", k, g.member()}
	case 6:
		return []string{g.pick("ZRANK", "ZREVRANK"), k, g.member()}
	case 7:
		return g.maybe([]string{g.pick("ZRANGE", "ZREVRANGE"), k, g.rank(), g.rank()}, "WITHSCORES")
	case 8:
		args := g.maybe([]string{"ZRANGE", k, g.bound(), g.bound(), "BYSCORE"}, "REV", "WITHSCORES")
		return g.limit(args)
	case 9:
		args := g.maybe([]string{g.pick("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), k, g.bound(), g.bound()}, "WITHSCORES")
		return g.limit(args)
	case 10:
		return []string{"ZCOUNT", k, g.bound(), g.bound()}
	case 11:
		return []string{g.pick("ZPOPMIN", "ZPOPMAX"), k, strconv.Itoa(g.r.IntN(4))}
	case 12:
		return []string{"ZMPOP", "2", g.key(), g.key(), g.pick("MIN", "MAX"), "COUNT", strconv.Itoa(1 + g.r.IntN(3))}
	case 13:
		return []string{"ZREMRANGEBYRANK", k, g.rank(), g.rank()}
	case 14:
		return []string{"ZREMRANGEBYSCORE", k, g.bound(), g.bound()}
	case 15, 16:
		op := g.pick("ZUNION", "ZINTER", "ZDIFF")
		args := []string{op, "2", g.key(), g.key()}
		if op != "ZDIFF" {
			if g.r.IntN(2) == 0 {
				args = append(args, "WEIGHTS", g.score(), g.score())
			}
			if g.r.IntN(2) == 0 {
				args = append(args, "AGGREGATE", g.pick("SUM", "MIN", "MAX"))
			}
		}
		return append(args, "WITHSCORES")
	case 17:
		op := g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE")
		args := []string{op, k, "2", g.key(), g.key()}
		if op != "ZDIFFSTORE" && g.r.IntN(2) == 0 {
			args = append(args, "WEIGHTS", g.score(), g.score(), "AGGREGATE", g.pick("SUM", "MIN", "MAX"))
		}
		return args
	case 18:
		args := g.maybe([]string{"ZRANGESTORE", k, g.key(), g.bound(), g.bound(), "BYSCORE"}, "REV")
		return g.limit(args)
	case 19:
		return []string{"ZINTERCARD", "2", g.key(), g.key(), "LIMIT", strconv.Itoa(g.r.IntN(3))}
	case 20:
		// Lex ranges only on a key whose elements share one score.
		if g.r.IntN(2) == 0 {
			return []string{"ZADD", "lz", "0", g.member()}
		}
		return g.limit([]string{g.pick("ZRANGEBYLEX", "ZREVRANGEBYLEX"), "lz", g.lexBound(), g.lexBound()})
	case 21:
		return []string{g.pick("ZLEXCOUNT", "ZREMRANGEBYLEX"), "lz", g.lexBound(), g.lexBound()}
	case 22:
		return []string{"ZRANDMEMBER", k, g.pick("100", "0", "-0"), "WITHSCORES"}
	}
	return []string{"ZMSCORE", k, g.member(), g.member()}
}

// TestZsetsDifferential compares random sorted-set command streams with
// redis-server 7, reply byte for byte, and the whole sets every few
// commands.
func TestZsetsDifferential(t *testing.T) {
	rc := startRedisServer(t)
	d := &zsetsDiff{t: t, redis: rc, ours: newStringsTestServer(t, nil)}
	seed := *zsetsDiffSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("random cases: -zsets.seed=%d", seed)
	g := zsetsRandom{rand.New(rand.NewPCG(seed, 0))}
	d.redis.do(t, "FLUSHALL")
	for i := 0; i < 4000 && !t.Failed(); i++ {
		d.check(g.command()...)
		if i%50 == 49 {
			for _, k := range append(zsetsKeys, "lz") {
				d.check("ZRANGE", k, "0", "-1", "WITHSCORES")
				d.check("OBJECT", "ENCODING", k)
			}
		}
	}
	t.Logf("%d commands compared, %d error replies", d.n, d.errs)
}
