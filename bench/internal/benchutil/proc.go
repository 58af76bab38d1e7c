package benchutil

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ProcStatusField reads a numeric field ("VmRSS", in kB for sizes) of
// /proc/<pid>/status; 0 when it cannot.
func ProcStatusField(pid int, field string) int64 {
	return statusField(fmt.Sprintf("/proc/%d/status", pid), field)
}

func statusField(path, field string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			if f := strings.Fields(l); len(f) >= 2 {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				return v
			}
		}
	}
	return 0
}

// RSSKiB is the process's resident set size in KiB.
func RSSKiB(pid int) int64 { return ProcStatusField(pid, "VmRSS") }

// ContextSwitches sums the voluntary and involuntary context switches of
// all the process's threads: each is a wake-up.
func ContextSwitches(pid int) int64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	var n int64
	for _, t := range tasks {
		n += statusField(t, "voluntary_ctxt_switches") + statusField(t, "nonvoluntary_ctxt_switches")
	}
	return n
}

// CPUSeconds is the process's user+system CPU time from /proc/<pid>/stat.
func CPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	s = s[strings.LastIndexByte(s, ')')+2:]
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// LoadAvg is the 1, 5 and 15 minute load average from /proc/loadavg.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// RaiseFileLimit lifts the open-file limit to its hard limit, and to
// 65,536 where the process may raise the hard limit too
// (CAP_SYS_RESOURCE): idle-connection runs hold thousands of sockets.
func RaiseFileLimit() {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return
	}
	r.Cur = r.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	if r.Max < 65536 {
		r.Cur, r.Max = 65536, 65536
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
