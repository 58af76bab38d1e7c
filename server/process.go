package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
)

// WritePidFile writes the process id to path (spec 8.1). A file naming a
// running process other than this one is an error ("already running"); a
// stale file is replaced.
func WritePidFile(path string) error {
	if b, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 && pid != os.Getpid() && processAlive(pid) {
			return fmt.Errorf("pid file %s: already running as pid %d", path, pid)
		}
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

// RemovePidFile removes path if it still names this process.
func RemovePidFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("pid file: %w", err)
	}
	if strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	return nil
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// DropPrivileges switches to effective_user/effective_group (spec 6.1)
// when running as root; as any other user it does nothing. Unlike DBMail,
// a failure is an error: a daemon must not serve clients as root.
func DropPrivileges(userName, groupName string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	if userName == "" || groupName == "" {
		return errors.New("effective_user and effective_group must be set when started as root")
	}
	u, err := user.Lookup(userName)
	if err != nil {
		return fmt.Errorf("effective_user %s: %w", userName, err)
	}
	g, err := user.LookupGroup(groupName)
	if err != nil {
		return fmt.Errorf("effective_group %s: %w", groupName, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return fmt.Errorf("effective_user %s: uid %q: %w", userName, u.Uid, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return fmt.Errorf("effective_group %s: gid %q: %w", groupName, g.Gid, err)
	}
	// Go applies these to every thread of the process (Linux, Go ≥ 1.16).
	if err := syscall.Setgroups([]int{gid}); err != nil {
		return fmt.Errorf("setgroups(%d): %w", gid, err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setgid(%d): %w", gid, err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setuid(%d): %w", uid, err)
	}
	return nil
}

// sdNotify sends a systemd notification (READY=1, STOPPING=1) when started
// by systemd with Type=notify (spec 8.1); without NOTIFY_SOCKET it does
// nothing.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	if strings.HasPrefix(path, "@") {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", state, err)
	}
	return nil
}
