package config

import (
	"net/url"
	"os"
	"strconv"
	"strings"
)

// readDBURI implements GetDBParams (spec 5.2): dburi when present,
// otherwise a URL built from the deprecated keys.
func (r *reader) readDBURI() (uri string, deprecated bool) {
	const S = SectionDBMail
	if s := r.get(S, "dburi"); s.found {
		if !s.set() {
			r.fail(s, "must be a database URL such as sqlite:///var/lib/dbmail/dbmail.db")
			return "", false
		}
		return r.expandSQLiteHome(s), false
	}
	return r.deprecatedDBURI(), true
}

// expandSQLiteHome replaces "sqlite://~" with "sqlite://$HOME".
func (r *reader) expandSQLiteHome(s setting) string {
	const pfx = "sqlite://~"
	if !strings.HasPrefix(s.text, pfx) {
		return s.text
	}
	rest := s.text[len(pfx):]
	if len(rest) < 2 {
		r.fail(s, "invalid file name for the sqlite database")
		return s.text
	}
	home := os.Getenv("HOME")
	if home == "" {
		r.fail(s, "cannot expand ~ in the database name: $HOME is not set")
		return s.text
	}
	return "sqlite://" + home + rest
}

// deprecatedDBURI builds
// <driver>://host[:sqlport]/db?user=…&password=…[&charset=…][&unix-socket=…]
// and, for sqlite, sqlite://<db>.
func (r *reader) deprecatedDBURI() string {
	const S = SectionDBMail
	required := func(name string) setting {
		s := r.get(S, name)
		if !s.found {
			r.missing(S, name, "dburi is absent, so the deprecated key "+name+" is required")
		}
		return s
	}
	drv, host, db, user := required("driver"), required("host"), required("db"), required("user")
	if !drv.found || !host.found || !db.found || !user.found {
		return ""
	}
	driver := asciiLower(drv.text)
	switch driver {
	case "sqlite", "mysql", "postgresql":
	case "oracle":
		r.fail(drv, "Oracle is not supported by dbmail-go; use sqlite, mysql or postgresql")
		return ""
	default:
		r.fail(drv, "must be sqlite, mysql or postgresql")
		return ""
	}
	if driver == "sqlite" {
		return "sqlite://" + db.text
	}
	hostport := host.text
	if p := r.get(S, "sqlport"); p.set() {
		n, err := strconv.Atoi(p.text)
		if err != nil || n < 1 || n > 65535 {
			r.fail(p, "must be a port number from 1 to 65535")
			return ""
		}
		hostport += ":" + p.text
	}
	q := url.Values{}
	q.Set("user", user.text)
	if pass := r.get(S, "pass"); pass.set() {
		q.Set("password", pass.text)
	}
	if driver == "mysql" {
		if enc := r.get(S, "encoding"); enc.set() {
			q.Set("charset", enc.text)
		}
	}
	if sock := r.get(S, "sqlsocket"); sock.set() {
		q.Set("unix-socket", sock.text)
	}
	u := url.URL{Scheme: driver, Host: hostport, Path: "/" + db.text, RawQuery: q.Encode()}
	return u.String()
}
