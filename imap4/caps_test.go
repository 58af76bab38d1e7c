package imap4

import (
	"slices"
	"testing"

	"github.com/dbmail-go/dbmail/db/dbtest"
	"github.com/dbmail-go/dbmail/server"
)

// TestConfiguredCapability: [IMAP] capability (spec 5.4) narrows the list
// in every state; IMAP4rev1 stays; unknown items are never announced.
func TestConfiguredCapability(t *testing.T) {
	b := dbtest.Backends(t)[0] // SQLite: the list does not depend on the backend
	e := startIMAPWith(t, b, func(_ *server.Config, c *Config) {
		c.Capability = []string{"AUTH=PLAIN", "ID", "IDLE", "uidplus", "APPENDLIMIT", "XFROBNICATE"}
		c.Limits.MaxLiteral = 1 << 20
	})
	c := e.dial()
	c.expect("a CAPABILITY",
		"* CAPABILITY IMAP4rev1 AUTH=PLAIN ID",
		"a OK CAPABILITY completed")
	c.expect("b LOGIN alice secret", "b OK [CAPABILITY IMAP4rev1 IDLE ID UIDPLUS APPENDLIMIT=1048576] User alice authenticated")
	// Hiding a capability does not break the command.
	c.expect("c CAPABILITY",
		"* CAPABILITY IMAP4rev1 IDLE ID UIDPLUS APPENDLIMIT=1048576",
		"c OK CAPABILITY completed")
}

func TestUnknownCapabilities(t *testing.T) {
	got := UnknownCapabilities([]string{"IMAP4rev1", "IDLE", "appendlimit=5", "AUTH=CRAM-MD5", "XFROBNICATE", "NOTIFY"})
	if !slices.Equal(got, []string{"XFROBNICATE", "NOTIFY"}) {
		t.Fatalf("UnknownCapabilities = %q", got)
	}
}
