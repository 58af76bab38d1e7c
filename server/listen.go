package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ParseBindIP splits a bindip value (spec 5.3): addresses separated by
// spaces and/or commas; "*" means 0.0.0.0; IPv6 literals may be bracketed.
func ParseBindIP(v string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
		if f == "*" {
			out = append(out, "0.0.0.0")
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(f, "["), "]"))
		if err != nil {
			return nil, fmt.Errorf("bindip %q: %w", f, err)
		}
		out = append(out, a.String())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bindip %q: no address", v)
	}
	return out, nil
}

// boundListener is one listening socket and what it serves.
type boundListener struct {
	ln   net.Listener
	kind string // kindPlain, kindTLS, kindUnix
	path string // Unix socket path, removed at exit
}

// listenTCP binds addr:port with the configured backlog and options. IPv6
// sockets are IPv6-only so that "0.0.0.0" and "::" can both be listed.
func listenTCP(addr string, port, backlog int, reusePort bool) (net.Listener, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	ip = ip.Unmap()
	name := net.JoinHostPort(ip.String(), strconv.Itoa(port))
	var sa unix.Sockaddr
	family := unix.AF_INET
	if ip.Is4() {
		sa = &unix.SockaddrInet4{Port: port, Addr: ip.As4()}
	} else {
		family = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
		if z := ip.Zone(); z != "" {
			ifi, err := net.InterfaceByName(z)
			if err != nil {
				return nil, fmt.Errorf("listen %s: zone: %w", name, err)
			}
			s6.ZoneId = uint32(ifi.Index)
		}
		sa = s6
	}
	opts := func(fd int) error {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return fmt.Errorf("SO_REUSEADDR: %w", err)
		}
		if reusePort {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
				return fmt.Errorf("SO_REUSEPORT: %w", err)
			}
		}
		if family == unix.AF_INET6 {
			if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1); err != nil {
				return fmt.Errorf("IPV6_V6ONLY: %w", err)
			}
		}
		return nil
	}
	return listenSocket(family, sa, backlog, name, opts)
}

// listenUnix binds a Unix stream socket at path, replacing a stale socket
// file, with mode 02777 as DBMail does (spec 5.3).
func listenUnix(path string, backlog int) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("listen unix %s: exists and is not a socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("listen unix %s: remove stale socket: %w", path, err)
		}
	}
	ln, err := listenSocket(unix.AF_UNIX, &unix.SockaddrUnix{Name: path}, backlog, path, nil)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o777|fs.ModeSetgid); err != nil {
		_ = ln.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("listen unix %s: chmod: %w", path, err)
	}
	return ln, nil
}

// listenSocket does socket/setsockopt/bind/listen itself because net.Listen
// cannot set the listen(2) backlog.
func listenSocket(family int, sa unix.Sockaddr, backlog int, name string, opts func(fd int) error) (net.Listener, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("listen %s: socket: %w", name, err)
	}
	if opts != nil {
		if err := opts(fd); err != nil {
			_ = unix.Close(fd)
			return nil, fmt.Errorf("listen %s: %w", name, err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("listen %s: bind: %w", name, err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("listen %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	ln, err := net.FileListener(f)
	_ = f.Close() // FileListener holds its own descriptor
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", name, err)
	}
	return ln, nil
}

// isAddrInUse reports EADDRINUSE, for clearer start-up errors.
func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
