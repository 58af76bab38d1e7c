package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/dbmail-go/dbmail/bench/internal/benchutil"
)

// idleRun starts a fresh daemon whose o.idleUsers users hold o.idlePer
// messages each, opens o.idle connections (user i%idleUsers+1) that log in,
// SELECT INBOX and enter IDLE (RFC 2177), and prints the daemon's RSS per
// connection and its wake-ups per second while they idle.
func idleRun(ctx context.Context, o options) error {
	msgs, _, err := loadCorpus(o.corpus)
	if err != nil {
		return err
	}
	fill := func(u int) [][]byte {
		out := make([][]byte, o.idlePer)
		for i := range out {
			out[i] = msgs[(u*o.idlePer+i)%len(msgs)]
		}
		return out
	}
	fmt.Printf("\n== idle: %d connections over %d users (%d messages in each INBOX), logged in, INBOX selected, in IDLE\n",
		o.idle, o.idleUsers, o.idlePer)
	dm, err := startDaemon(ctx, o, o.idleUsers, fill, o.maxDB)
	if err != nil {
		return err
	}
	defer dm.stop(o.keep)
	pid := dm.cmd.Process.Pid
	time.Sleep(time.Second)
	base := benchutil.RSSKiB(pid)

	held := make([]net.Conn, o.idle)
	defer func() {
		for _, c := range held {
			if c != nil {
				c.Close()
			}
		}
	}()
	start := time.Now()
	next := make(chan int)
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 8192)
			for i := range next {
				c, err := idleConn(dm.addr, fmt.Sprintf("user%d", i%o.idleUsers+1), buf)
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				held[i] = c
			}
		}()
	}
	for i := 0; i < o.idle; i++ {
		select {
		case next <- i:
			continue
		case err = <-errs:
		}
		break
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	if err != nil {
		return err
	}
	setup := time.Since(start)
	time.Sleep(3 * time.Second)
	rss := benchutil.RSSKiB(pid)
	sw0 := benchutil.ContextSwitches(pid)
	cpu0 := benchutil.CPUSeconds(pid)
	time.Sleep(10 * time.Second)
	sw1 := benchutil.ContextSwitches(pid)
	cpu1 := benchutil.CPUSeconds(pid)
	// Every connection must still be in IDLE: nothing (no BYE) arrived.
	alive := 0
	one := make([]byte, 1)
	for _, c := range held {
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := c.Read(one); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				alive++
			}
		}
	}
	fmt.Printf("idle: %d connections set up in %v; %d still idling after 13 s\n", o.idle, setup.Round(time.Millisecond), alive)
	fmt.Printf("idle: daemon RSS %d KiB -> %d KiB: %.2f KiB per IDLE connection; %.1f wake-ups/s, %.3f CPU s/s while idle (10 s)\n",
		base, rss, float64(rss-base)/float64(o.idle), float64(sw1-sw0)/10, (cpu1-cpu0)/10)
	if o.idleHold > 0 {
		fmt.Printf("idle: holding the connections for %v (daemon pid %d)\n", o.idleHold, pid)
		time.Sleep(o.idleHold)
	}
	if alive != o.idle {
		return fmt.Errorf("%d of %d IDLE connections were closed or sent data", o.idle-alive, o.idle)
	}
	return nil
}

// idleConn logs in as user, selects INBOX and enters IDLE on a raw socket:
// the client side of 10,000 connections must stay small.
func idleConn(addr, user string, buf []byte) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	steps := []struct{ send, want string }{
		{"", "* OK"},
		{"a LOGIN " + user + " pass\r\n", "a OK"},
		{"b SELECT INBOX\r\n", "b OK"},
		{"c IDLE\r\n", "+ "},
	}
	for _, st := range steps {
		if st.send != "" {
			if _, err := c.Write([]byte(st.send)); err != nil {
				c.Close()
				return nil, err
			}
		}
		if err := readUntil(c, buf, st.want); err != nil {
			c.Close()
			return nil, fmt.Errorf("%q: %w", strings.TrimSpace(st.send), err)
		}
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// readUntil reads lines until one starts with want; a tagged NO/BAD (or
// an untagged BYE) is an error.
func readUntil(c net.Conn, buf []byte, want string) error {
	n := 0
	for {
		for {
			i := bytes.Index(buf[:n], []byte("\r\n"))
			if i < 0 {
				break
			}
			line := string(buf[:i])
			copy(buf, buf[i+2:n])
			n -= i + 2
			if strings.HasPrefix(line, want) {
				if n != 0 {
					return fmt.Errorf("unexpected data after %q", line)
				}
				return nil
			}
			if strings.HasPrefix(line, "* BYE") || (len(want) > 2 && strings.HasPrefix(line, want[:2]) && !strings.HasPrefix(line, want)) {
				return fmt.Errorf("server: %s", line)
			}
		}
		if n == len(buf) {
			n = 0 // a long untagged line: its tail is dropped with it
		}
		k, err := c.Read(buf[n:])
		if err != nil {
			return err
		}
		n += k
	}
}
