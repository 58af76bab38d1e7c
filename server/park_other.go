//go:build !linux

package server

import "errors"

// canPark: without an epoll poller, idle connections wait on their
// goroutines (README.md, "Goroutine model").
const canPark = false

type poller struct{}

type parkSys struct{}

func (s *Server) stopPoller() {}

func (c *Conn) arm() error { return errNoPoller }

func (c *Conn) disarm() {}

func (c *Conn) control(uintptr) {}

func (c *Conn) pollNow() (bool, error) { return true, nil }

var errNoPoller = errors.New("no poller on this platform")
