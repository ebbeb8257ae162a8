package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/resp"
)

// serve runs the server described by cfg until SIGINT, SIGTERM or
// SHUTDOWN, then closes the listeners, the connections and the engine.
func serve(cfg config.Config, stdout io.Writer) error {
	var logOut io.Writer = stdout
	if cfg.LogFile != "" {
		f, err := os.OpenFile(cfg.LogFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("can't open the log file %q: %w", cfg.LogFile, err)
		}
		defer f.Close()
		logOut = f
	}
	level := new(slog.LevelVar)
	level.Set(logLevel(cfg.LogLevel))
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))

	log.Info(fmt.Sprintf("nebredis version=%s, redis_version=%s, pid=%d, just started",
		commands.NebredisVersion, commands.Version, os.Getpid()))

	if path := os.Getenv("NEBREDIS_CPUPROFILE"); path != "" {
		// A profiling aid for bench/: not a redis.conf directive, so not a flag.
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("NEBREDIS_CPUPROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("NEBREDIS_CPUPROFILE: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return fmt.Errorf("can't create the data directory %q: %w", cfg.Dir, err)
	}

	policy, ok := engine.ParsePolicy(cfg.MaxMemoryPolicy)
	if !ok {
		// The LFU policies: commands.New installs their LRU stand-ins
		// before any command runs.
		policy = engine.NoEviction
	}
	eng, err := engine.Open(engine.Options{
		Databases:        cfg.Databases,
		MaxMemory:        cfg.MaxMemory,
		Policy:           policy,
		MaxMemorySamples: cfg.MaxMemorySamples,
	})
	if err != nil {
		return fmt.Errorf("can't open the engine: %w", err)
	}
	defer eng.Close() // on early returns; Close is idempotent

	h := commands.New(cfg, eng)
	srv := resp.NewServer(h, respOptions(cfg, log))
	h.ConfigChanged = func(cfg config.Config) {
		srv.Reconfigure(respOptions(cfg, log))
		level.Set(logLevel(cfg.LogLevel))
	}

	shutdown := make(chan string, 1)
	var once sync.Once
	requestShutdown := func(why string) { once.Do(func() { shutdown <- why }) }
	h.Shutdown = func() { requestShutdown("User requested shutdown...") }

	if err := listen(srv, cfg, log); err != nil {
		srv.Close()
		return err
	}
	var bound []string
	for _, a := range srv.Addrs() {
		bound = append(bound, a.String())
	}
	port := cfg.Port
	if tcp, ok := srv.Addrs()[0].(*net.TCPAddr); ok {
		port = tcp.Port
	}
	log.Info("Ready to accept connections tcp", "port", port, "addrs", strings.Join(bound, " "), "dir", cfg.Dir)

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			name := "SIGTERM"
			if sig == syscall.SIGINT {
				name = "SIGINT"
			}
			select {
			case shutdown <- "Received " + name + " scheduling shutdown...":
			default:
				// Shutdown has already started: a second signal insists.
				log.Warn("You insist... exiting now.")
				os.Exit(1)
			}
		}
	}()

	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()

	var serveErr error
	select {
	case why := <-shutdown:
		log.Warn(why)
	case serveErr = <-served:
	}
	// Make later SHUTDOWNs and signals find the shutdown under way.
	once.Do(func() {})
	srv.Close()
	if serveErr == nil {
		serveErr = <-served
	}
	eng.Close()
	if serveErr != nil {
		return fmt.Errorf("serving: %w", serveErr)
	}
	log.Warn("nebredis is now ready to exit, bye bye...")
	return nil
}

// listen binds every bind address; one marked optional ("-::1") that
// cannot be bound is logged and skipped, as redis-server does.
func listen(srv *resp.Server, cfg config.Config, log *slog.Logger) error {
	for _, a := range cfg.ListenAddrs() {
		err := srv.Listen(a.Addr)
		switch {
		case err == nil:
		case a.Optional:
			log.Warn("Skipping optional bind address", "addr", a.Addr, "err", err)
		default:
			return fmt.Errorf("could not create server TCP listening socket %s: %w", a.Addr, err)
		}
	}
	if len(srv.Addrs()) == 0 {
		return fmt.Errorf("no address to listen on (bind %q)", strings.Join(cfg.Bind, " "))
	}
	return nil
}

// respOptions takes the connection limits from the configuration.
func respOptions(cfg config.Config, log *slog.Logger) resp.Options {
	return resp.Options{
		MaxClients:       cfg.MaxClients,
		Timeout:          cfg.Timeout,
		ProtoMaxBulkLen:  cfg.ProtoMaxBulkLen,
		QueryBufferLimit: cfg.ClientQueryBufferLimit,
		Logger:           log,
	}
}

// levelVerbose sits between slog's Debug and Info, as Redis's verbose sits
// between debug and notice.
const levelVerbose = slog.LevelDebug + 2

// logLevel maps loglevel to slog: debug, verbose, notice (Info), warning.
func logLevel(name string) slog.Level {
	switch name {
	case "debug":
		return slog.LevelDebug
	case "verbose":
		return levelVerbose
	case "warning":
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
