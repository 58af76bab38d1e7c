package server

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Run is a daemon's life after its config is read (spec 6.1, 8.1): bind
// every listener, drop privileges, write the pid file, serve the state
// socket, notify systemd, then serve until ctx ends or SIGTERM/SIGINT,
// reloading on SIGHUP (Server.Reload through opts.Reload). On a stop
// signal it stops accepting, lets sessions finish their running command
// within ShutdownGrace, removes its sockets and pid file and returns nil,
// so main exits 0.
func Run(ctx context.Context, cfg Config, proto Protocol, opts Options) error {
	s, err := New(cfg, proto, opts)
	if err != nil {
		return err
	}
	if err := s.Listen(); err != nil {
		return err
	}
	if err := DropPrivileges(cfg.EffectiveUser, cfg.EffectiveGroup); err != nil {
		s.Shutdown()
		return fmt.Errorf("%s: %w", cfg.Program, err)
	}
	pidFile := cfg.pidFile()
	if err := WritePidFile(pidFile); err != nil {
		s.Shutdown()
		return fmt.Errorf("%s: %w", cfg.Program, err)
	}
	defer func() {
		if err := RemovePidFile(pidFile); err != nil {
			s.log.Warn("remove pid file", "err", err)
		}
	}()
	// The state socket is a diagnostic aid: failing to create it is logged,
	// not fatal.
	if stopState, err := s.ServeState(cfg.stateSocket()); err != nil {
		s.log.Warn("state socket unavailable", "err", err)
	} else {
		defer stopState()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Stop(sigs)
	go s.handleSignals(ctx, sigs, cancel)

	if err := sdNotify("READY=1"); err != nil {
		s.log.Warn("systemd notify", "err", err)
	}
	s.log.Info("started", "pid", os.Getpid())
	err = s.Serve(ctx)
	if nerr := sdNotify("STOPPING=1"); nerr != nil {
		s.log.Warn("systemd notify", "err", nerr)
	}
	s.log.Info("stopped")
	return err
}

func (s *Server) handleSignals(ctx context.Context, sigs <-chan os.Signal, stop context.CancelFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP:
				if err := s.hangup(); err != nil {
					s.log.Error("SIGHUP reload failed; keeping the running configuration", "err", err)
				}
			default:
				s.log.Info("stop signal; draining", "signal", sig.String())
				stop()
				return
			}
		}
	}
}
