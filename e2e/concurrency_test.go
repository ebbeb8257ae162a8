package e2e

import (
	"strconv"
	"sync"
	"testing"
)

// TestConcurrentClients has many connections race on the same keys; the
// results must be what some serial order of the commands gives (run it with
// -race: the server is in this process).
func TestConcurrentClients(t *testing.T) {
	neb := startNebredis(t)
	const clients, rounds = 12, 150
	conns := make([]*rawClient, clients)
	for i := range conns {
		conns[i] = mustDial(t, neb)
	}
	if r, err := conns[0].Do("SET", "hot", "potato"); err != nil || string(r) != "+OK\r\n" {
		t.Fatalf("SET hot: %q %v", r, err)
	}
	winners := make([][]int, rounds) // per round: clients whose MSETNX won
	var mu sync.Mutex                // guards winners
	var wg sync.WaitGroup
	for id, c := range conns {
		wg.Add(1)
		go func(id int, c *rawClient) {
			defer wg.Done()
			me := strconv.Itoa(id)
			expect := func(want string, args ...string) {
				if r, err := c.Do(args...); err != nil || (want != "" && string(r) != want) {
					t.Errorf("client %d %v: %q %v (want %q)", id, args, r, err, want)
				}
			}
			for r := 0; r < rounds; r++ {
				round := strconv.Itoa(r)
				expect("", "INCR", "counter")
				expect("", "INCRBYFLOAT", "float", "0.5")
				expect("", "APPEND", "log", me+",")
				expect("+OK\r\n", "SET", "own:"+me, round)
				reply, err := c.Do("MSETNX", "x:"+round, me, "y:"+round, me)
				if err != nil {
					t.Errorf("client %d MSETNX: %v", id, err)
					return
				}
				if string(reply) == ":1\r\n" {
					mu.Lock()
					winners[r] = append(winners[r], id)
					mu.Unlock()
				}
				// A key renamed back and forth by everyone must survive.
				c.Do("RENAME", "hot", "hot:"+me)
				c.Do("RENAME", "hot:"+me, "hot")
			}
		}(id, c)
	}
	wg.Wait()

	c := conns[0]
	check := func(want string, args ...string) {
		t.Helper()
		if r, err := c.Do(args...); err != nil || string(r) != want {
			t.Errorf("%v: %q %v, want %q", args, r, err, want)
		}
	}
	total := strconv.Itoa(clients * rounds)
	check("$"+strconv.Itoa(len(total))+"\r\n"+total+"\r\n", "GET", "counter")
	check(":"+total+"\r\n", "INCRBY", "counter", "0")
	half := strconv.Itoa(clients * rounds / 2)
	check("$"+strconv.Itoa(len(half))+"\r\n"+half+"\r\n", "GET", "float")
	r, _ := c.Do("STRLEN", "log")
	logLen := 0
	for id := 0; id < clients; id++ {
		logLen += rounds * (len(strconv.Itoa(id)) + 1)
	}
	if string(r) != ":"+strconv.Itoa(logLen)+"\r\n" {
		t.Errorf("STRLEN log = %q, want %d: APPENDs were lost", r, logLen)
	}
	for i := 0; i < clients; i++ {
		last := strconv.Itoa(rounds - 1)
		check("$"+strconv.Itoa(len(last))+"\r\n"+last+"\r\n", "GET", "own:"+strconv.Itoa(i))
	}
	check("$6\r\npotato\r\n", "GET", "hot")
	// counter float log hot, own:*, x:* and y:*
	check(":"+strconv.Itoa(4+clients+2*rounds)+"\r\n", "DBSIZE")
	for round, w := range winners {
		if len(w) != 1 {
			t.Errorf("round %d: MSETNX succeeded for clients %v, want exactly one", round, w)
			continue
		}
		owner := strconv.Itoa(w[0])
		rs := strconv.Itoa(round)
		check("*2\r\n$"+strconv.Itoa(len(owner))+"\r\n"+owner+"\r\n$"+strconv.Itoa(len(owner))+"\r\n"+owner+"\r\n",
			"MGET", "x:"+rs, "y:"+rs)
	}
}
