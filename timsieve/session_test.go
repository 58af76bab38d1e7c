package timsieve

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/dbmail-go/dbmail/db"
	"github.com/dbmail-go/dbmail/db/dbtest"
)

// TestTranscripts drives every ManageSieve command over a real socket on
// each backend and checks the exact replies (RFC 5804 §2).
func TestTranscripts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b dbtest.Backend) {
		e := start(t, b, options{maxScript: 4096})
		for _, tc := range transcripts {
			t.Run(tc.name, func(t *testing.T) {
				e.t = t
				tc.fn(t, e)
			})
		}
	})
}

var transcripts = []struct {
	name string
	fn   func(t *testing.T, e *env)
}{
	{"capability", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("CAPABILITY", append(capabilities(false), `OK "Capability completed."`)...)
		c.do("capability extra", `NO "What are you trying to say here?"`)
		c.login()
		c.do("CAPABILITY",
			`"IMPLEMENTATION" "`+testImpl+`"`,
			capabilities(false)[2],
			`"MAXREDIRECTS" "4"`,
			`"OWNER" "alice"`,
			`"UNAUTHENTICATE"`,
			`"VERSION" "1.0"`,
			`OK "Capability completed."`)
	}},
	{"authenticate plain", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("LISTSCRIPTS", `NO "LISTSCRIPTS is not allowed now."`)
		c.do(`AUTHENTICATE "PLAIN" "`+plain("alice", "wrong")+`"`, `NO "Username or password incorrect."`)
		c.do(`AUTHENTICATE "CRAM-MD5"`, `NO "Authentication scheme not supported."`)
		c.do(`AUTHENTICATE "PLAIN" "!!notbase64"`, `NO "Invalid base64 in SASL response."`)
		c.do(`AUTHENTICATE "PLAIN" "`+base64.StdEncoding.EncodeToString([]byte("bob\x00alice\x00secret"))+`"`, `NO "Proxy authorization is not supported."`)
		// No initial response: the server sends an empty challenge.
		c.do(`AUTHENTICATE "PLAIN"`, `""`)
		c.do(`"*"`, `NO "Authentication aborted."`)
		c.do(`Authenticate "plain"`, `""`)
		lit := plain("alice", "secret")
		c.do(fmt.Sprintf("{%d+}\r\n%s", len(lit), lit), `OK "Logged in."`)
		c.do(`AUTHENTICATE "PLAIN" "`+plain("alice", "secret")+`"`, `NO "AUTHENTICATE is not allowed now."`)
	}},
	{"authenticate login", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		b64 := func(s string) string { return `"` + base64.StdEncoding.EncodeToString([]byte(s)) + `"` }
		c.do(`AUTHENTICATE "LOGIN"`, b64("Username:"))
		c.do(b64("bob"), b64("Password:"))
		c.do(b64("hunter2"), `OK "Logged in."`)
		c.do("CAPABILITY", `"IMPLEMENTATION" "`+testImpl+`"`, capabilities(false)[2], `"MAXREDIRECTS" "4"`, `"OWNER" "bob"`, `"UNAUTHENTICATE"`, `"VERSION" "1.0"`, `OK "Capability completed."`)
		// Initial response carries the user name.
		c2 := e.dial()
		c2.greeting(false)
		c2.do(`AUTHENTICATE "LOGIN" `+b64("alice"), b64("Password:"))
		c2.do(b64("nope"), `NO "Username or password incorrect."`)
	}},
	{"starttls without tls", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("STARTTLS", `NO "TLS is not available."`)
	}},
	{"putscript and listscripts", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do("LISTSCRIPTS", `OK "Listscripts completed."`)
		src := "require \"fileinto\";\r\nfileinto \"Spam\";\r\n"
		c.do(fmt.Sprintf("PUTSCRIPT \"spam\" {%d+}\r\n%s", len(src), src), `OK "Script successfully received."`)
		c.do(fmt.Sprintf("PUTSCRIPT \"other\" {%d}\r\n%s", len("keep;"), "keep;"), `OK "Script successfully received."`)
		c.do(`PUTSCRIPT "quoted" "discard;"`, `OK "Script successfully received."`)
		c.do("LISTSCRIPTS", `"other"`, `"quoted"`, `"spam"`, `OK "Listscripts completed."`)
		bad := "fileinto \"x\";\r\n"
		c.do(fmt.Sprintf("PUTSCRIPT \"bad\" {%d+}\r\n%s", len(bad), bad), `NO "Script error: line 1:1: command \"fileinto\" requires extension \"fileinto\" (missing require)"`)
		c.do(`PUTSCRIPT "" "keep;"`, `NO "Invalid script name."`)
		c.do("PUTSCRIPT \"a\x01b\" \"keep;\"", `NO "Invalid script name."`)
		c.do(`PUTSCRIPT "@!temp-script!@" "keep;"`, `NO "Invalid script name."`)
		c.do(`PUTSCRIPT "x"`, `NO "What are you trying to say here?"`)
		// Scripts are stored exactly as DBMail stores them (spec 1.4).
		got, active, err := e.d.SieveScriptText(context.Background(), e.alice, "spam")
		if err != nil || got != src || active {
			t.Fatalf("stored script = %q active=%v err=%v", got, active, err)
		}
	}},
	{"literal too large", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		big := strings.Repeat("#", 5000) + "\r\n"
		c.do(fmt.Sprintf("PUTSCRIPT \"big\" {%d+}\r\n%s", len(big), big), `NO (QUOTA/MAXSIZE) "Script too large."`)
		c.do("NOOP", `OK "NOOP completed."`)
	}},
	{"checkscript", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`CHECKSCRIPT "keep;"`, `OK "Script is valid."`)
		c.do("CHECKSCRIPT {11+}\r\nif true {\r\n", `NO "Script error: line 1:9: unterminated block"`)
	}},
	{"havespace", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`HAVESPACE "new" 100`, `OK "Putscript would succeed."`)
		c.do(`HAVESPACE "new" 5000`, `NO (QUOTA/MAXSIZE) "Quota exceeded."`)
		c.do(`HAVESPACE "new" "100"`, `NO "What are you trying to say here?"`)
		if e.d.Dialect != db.SQLite {
			// maxsieve_size is enforced (spec 9.5 item 26).
			if _, err := e.d.Exec(context.Background(), `UPDATE {users} SET maxsieve_size = 60 WHERE user_idnr = ?`, e.alice); err != nil {
				t.Fatal(err)
			}
			defer e.d.Exec(context.Background(), `UPDATE {users} SET maxsieve_size = 0 WHERE user_idnr = ?`, e.alice)
			// alice holds 3 scripts: 39 + 5 + 8 bytes; "other" (5) is replaced.
			c.do(`HAVESPACE "other" 13`, `OK "Putscript would succeed."`)
			c.do(`HAVESPACE "other" 14`, `NO (QUOTA/MAXSIZE) "Quota exceeded."`)
			c.do(`PUTSCRIPT "other" "keep; keep; keep;"`, `NO (QUOTA/MAXSIZE) "Quota exceeded."`)
		}
	}},
	{"setactive", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`SETACTIVE ""`, `OK "No scripts are active at this time."`)
		c.do(`SETACTIVE "spam"`, `OK "Script activated."`)
		c.do(`SETACTIVE "other"`, `OK "Script activated."`)
		c.do("LISTSCRIPTS", `"other" ACTIVE`, `"quoted"`, `"spam"`, `OK "Listscripts completed."`)
		c.do(`SETACTIVE "missing"`, `NO (NONEXISTENT) "Script not found."`)
		// Replacing the active script keeps it active (spec 6.5).
		c.do(`PUTSCRIPT "other" "keep;"`, `OK "Script successfully received."`)
		c.do("LISTSCRIPTS", `"other" ACTIVE`, `"quoted"`, `"spam"`, `OK "Listscripts completed."`)
		c.do(`SETACTIVE ""`, `OK "All scripts deactivated."`)
		c.do("LISTSCRIPTS", `"other"`, `"quoted"`, `"spam"`, `OK "Listscripts completed."`)
	}},
	{"getscript", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`GETSCRIPT "spam"`, "{39}", `require "fileinto";`, `fileinto "Spam";`, "", `OK "Getscript completed."`)
		c.do(`GETSCRIPT "quoted"`, "{8}", `discard;`, `OK "Getscript completed."`)
		c.do(`GETSCRIPT "missing"`, `NO (NONEXISTENT) "Script not found."`)
		// Other users' scripts are invisible.
		c2 := e.dial()
		c2.greeting(false)
		c2.do(`AUTHENTICATE "PLAIN" "`+plain("bob", "hunter2")+`"`, `OK "Logged in."`)
		c2.do(`GETSCRIPT "spam"`, `NO (NONEXISTENT) "Script not found."`)
		c2.do("LISTSCRIPTS", `OK "Listscripts completed."`)
	}},
	{"renamescript", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`SETACTIVE "quoted"`, `OK "Script activated."`)
		c.do(`RENAMESCRIPT "quoted" "renamed"`, `OK "Script renamed."`)
		c.do(`RENAMESCRIPT "renamed" "spam"`, `NO (ALREADYEXISTS) "A script with that name already exists."`)
		c.do(`RENAMESCRIPT "missing" "x"`, `NO (NONEXISTENT) "Script not found."`)
		c.do(`RENAMESCRIPT "spam" ""`, `NO "Invalid script name."`)
		c.do("LISTSCRIPTS", `"other"`, `"renamed" ACTIVE`, `"spam"`, `OK "Listscripts completed."`)
	}},
	{"deletescript", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.login()
		c.do(`DELETESCRIPT "renamed"`, `NO (ACTIVE) "You may not delete an active script."`)
		c.do(`DELETESCRIPT "spam"`, `OK "Script deleted."`)
		c.do(`DELETESCRIPT "spam"`, `NO (NONEXISTENT) "Script not found."`)
		c.do("LISTSCRIPTS", `"other"`, `"renamed" ACTIVE`, `OK "Listscripts completed."`)
	}},
	{"noop", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("NOOP", `OK "NOOP completed."`)
		c.do(`NOOP "STARTTLS-SYNC-42"`, `OK (TAG "STARTTLS-SYNC-42") "Done"`)
		c.do("NOOP {3+}\r\na\"b", `OK (TAG "a\"b") "Done"`)
	}},
	{"unauthenticate", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("UNAUTHENTICATE", `NO "UNAUTHENTICATE is not allowed now."`)
		c.login()
		c.do("UNAUTHENTICATE", `OK "Unauthenticated."`)
		c.do("LISTSCRIPTS", `NO "LISTSCRIPTS is not allowed now."`)
		c.do(`AUTHENTICATE "PLAIN" "`+plain("bob", "hunter2")+`"`, `OK "Logged in."`)
	}},
	{"logout", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.send("LOGOUT\r\nNOOP\r\n")
		c.expect(`OK "Bye."`)
		c.expectEOF()
	}},
	{"too many errors", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.do("FOO", `NO "What are you trying to say here?"`)
		c.do(`"bar"`, `NO "What are you trying to say here?"`)
		c.do("BAZ", `BYE "Too many errors, closing connection."`)
		c.expectEOF()
	}},
	{"pipelined", func(t *testing.T, e *env) {
		c := e.dial()
		c.greeting(false)
		c.send(`AUTHENTICATE "PLAIN" "` + plain("alice", "secret") + "\"\r\nPUTSCRIPT \"p\" {5+}\r\nkeep;\r\nGETSCRIPT \"p\"\r\nDELETESCRIPT \"p\"\r\n")
		c.expect(`OK "Logged in."`, `OK "Script successfully received."`, "{5}", "keep;", `OK "Getscript completed."`, `OK "Script deleted."`)
	}},
}

// TestStartTLS: STARTTLS is advertised only with a certificate (spec 9.5
// item 26), the capabilities come again after the handshake (RFC 5804
// §2.2), and commands sent before the handshake are dropped.
func TestStartTLS(t *testing.T) {
	b := dbtest.Backends(t)[0]
	e := start(t, b, options{tls: true})
	c := e.dial()
	c.greeting(true)
	c.do(`AUTHENTICATE "PLAIN" "`+plain("alice", "secret")+`"`, `NO (ENCRYPT-NEEDED) "Use STARTTLS before authenticating."`)
	c.send("STARTTLS\r\nNOOP\r\n") // the NOOP must not survive the upgrade
	c.expect(`OK "Begin TLS negotiation now."`)
	c.startTLS()
	c.expect(append(capabilities(false), `OK "TLS negotiation successful."`)...)
	c.do("NOOP", `OK "NOOP completed."`)
	c.login()
	c.do("STARTTLS", `NO "STARTTLS is not allowed now."`)
}
