//go:build !e2estub

package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/resp"
)

// startNebredis runs nebredis in this process, wired as cmd/nebredis wires
// it (engine, command layer, connection layer), on a free loopback port with
// the given redis.conf directives, and shuts it down at cleanup. Anything
// the server logs at error level (a contained panic) fails the test.
func startNebredis(t testing.TB, conf ...directive) *target {
	t.Helper()
	cfg := config.Default()
	for _, d := range conf {
		if err := cfg.Directive(d.name, d.value); err != nil {
			t.Fatalf("directive %s %s: %v", d.name, d.value, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	policy, ok := engine.ParsePolicy(cfg.MaxMemoryPolicy)
	if !ok {
		policy = engine.NoEviction // LFU: commands.New installs a stand-in
	}
	eng, err := engine.Open(engine.Options{Databases: cfg.Databases, MaxMemory: cfg.MaxMemory, Policy: policy,
		MaxMemorySamples: cfg.MaxMemorySamples})
	if err != nil {
		t.Fatalf("engine.Open: %v", err)
	}
	errs := &errorLog{}
	log := slog.New(errs)
	h := commands.New(cfg, eng)
	srv := resp.NewServer(h, respOptions(cfg, log))
	h.ConfigChanged = func(cfg config.Config) { srv.Reconfigure(respOptions(cfg, log)) }
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Errorf("nebredis: Serve did not return 10s after Close")
		}
		eng.Close()
		for _, r := range errs.all() {
			t.Errorf("nebredis logged an error: %s", r)
		}
	})
	return &target{name: "nebredis", addr: l.Addr().String()}
}

func respOptions(cfg config.Config, log *slog.Logger) resp.Options {
	return resp.Options{MaxClients: cfg.MaxClients, Timeout: cfg.Timeout, ProtoMaxBulkLen: cfg.ProtoMaxBulkLen,
		QueryBufferLimit: cfg.ClientQueryBufferLimit, Logger: log}
}

// errorLog is a slog.Handler that keeps error-level records.
type errorLog struct {
	mu      sync.Mutex // guards records
	records []string
}

func (h *errorLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, b.String())
	h.mu.Unlock()
	return nil
}

func (h *errorLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorLog) WithGroup(string) slog.Handler      { return h }

func (h *errorLog) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.records...)
}
