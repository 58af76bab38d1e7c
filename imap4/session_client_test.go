package imap4

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	imap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// corpusMessages returns n CRLF messages of ../shared/corpus (without the
// mbox "From " line), failing when the corpus is missing.
func corpusMessages(t *testing.T, n int) [][]byte {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	files, err := filepath.Glob(filepath.Join(dir, "..", "shared", "corpus", "ham", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus missing at %s: %v", filepath.Join(dir, "..", "shared", "corpus"), err)
	}
	sort.Strings(files)
	var out [][]byte
	for _, f := range files[:min(n, len(files))] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(b, []byte("From ")) {
			if i := bytes.IndexByte(b, '\n'); i >= 0 {
				b = b[i+1:]
			}
		}
		out = append(out, b)
	}
	return out
}

func (e *sessEnv) client(t *testing.T, user string, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	conn, err := net.Dial("unix", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := imapclient.New(conn, &imapclient.Options{UnilateralDataHandler: h})
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, "secret").Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

func appendMsg(t *testing.T, c *imapclient.Client, box string, msg []byte, flags []imap.Flag) *imap.AppendData {
	t.Helper()
	cmd := c.Append(box, int64(len(msg)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return data
}

// TestClientSuite drives every command through the go-imap/v2 client
// with real corpus messages: sizes agree (RFC822.SIZE equals the bytes of
// BODY[]), flags, search, copy, move, expunge, status, ACL and quota.
func TestClientSuite(t *testing.T) {
	msgs := corpusMessages(t, 5)
	forBackends(t, func(t *testing.T, e *sessEnv) {
		c := e.client(t, "alice", nil)
		if caps, err := c.Capability().Wait(); err != nil || !caps.Has(imap.CapMove) || !caps.Has(imap.CapUIDPlus) {
			t.Fatalf("capabilities %v %v", caps, err)
		}
		if err := c.Create("Lists/Go", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		var uids []imap.UID
		for i, m := range msgs {
			var flags []imap.Flag
			if i%2 == 0 {
				flags = []imap.Flag{imap.FlagSeen, "$Label1"}
			}
			d := appendMsg(t, c, "INBOX", m, flags)
			uids = append(uids, d.UID)
		}
		sel, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if sel.NumMessages != uint32(len(msgs)) || sel.UIDValidity == 0 || sel.UIDNext <= uids[len(uids)-1] {
			t.Fatalf("select: %+v", sel)
		}
		bufs, err := c.Fetch(imap.SeqSetNum(1, 2, 3, 4, 5), &imap.FetchOptions{UID: true, RFC822Size: true, Flags: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		if len(bufs) != len(msgs) {
			t.Fatalf("fetched %d messages", len(bufs))
		}
		for i, b := range bufs {
			if b.UID != uids[i] {
				t.Errorf("message %d: UID %d want %d", i+1, b.UID, uids[i])
			}
			body := b.BodySection[0].Bytes
			if int64(len(body)) != b.RFC822Size {
				t.Errorf("message %d: RFC822.SIZE %d but BODY[] has %d bytes", i+1, b.RFC822Size, len(body))
			}
			if !bytes.Equal(body, msgs[i]) {
				t.Errorf("message %d: BODY[] differs from the appended CRLF message", i+1)
			}
		}
		if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			t.Fatal(err)
		}
		found, err := c.Search(&imap.SearchCriteria{Flag: []imap.Flag{"$Label1"}}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if got := found.AllSeqNums(); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 5 {
			t.Fatalf("SEARCH KEYWORD $Label1: %v", got)
		}
		cp, err := c.Copy(imap.SeqSetNum(1, 2), "Lists/Go").Wait()
		if err != nil {
			t.Fatal(err)
		}
		if src, _ := cp.SourceUIDs.Nums(); len(src) != 2 || src[0] != uids[0] || src[1] != uids[1] {
			t.Fatalf("COPYUID source %v", cp.SourceUIDs)
		}
		ex, err := c.Expunge().Collect()
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) != 1 || ex[0] != 2 {
			t.Fatalf("EXPUNGE: %v", ex)
		}
		if _, err := c.Move(imap.SeqSetNum(1), "Lists/Go").Wait(); err != nil {
			t.Fatal(err)
		}
		st, err := c.Status("Lists/Go", &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if *st.NumMessages != 3 || *st.NumUnseen != 1 {
			t.Fatalf("STATUS Lists/Go: messages %d unseen %d", *st.NumMessages, *st.NumUnseen)
		}
		list, err := c.List("", "*", nil).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range list {
			names = append(names, l.Mailbox)
		}
		if strings.Join(names, ",") != "INBOX,Lists,Lists/Go" {
			t.Fatalf("LIST: %v", names)
		}
		rights, err := c.MyRights("INBOX").Wait()
		if err != nil || string(rights.Rights) != "lrswipkxteacd" {
			t.Fatalf("MYRIGHTS %v %v", rights, err)
		}
		if err := c.Unselect().Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Delete("Lists/Go").Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Logout().Wait(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestClientIdlePush: a delivery into the selected mailbox reaches an
// IDLE client of another session as EXISTS without polling (the hub).
func TestClientIdlePush(t *testing.T) {
	msgs := corpusMessages(t, 1)
	forBackends(t, func(t *testing.T, e *sessEnv) {
		exists := make(chan uint32, 8)
		watcher := e.client(t, "alice", &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		}})
		if _, err := watcher.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		idle, err := watcher.Idle()
		if err != nil {
			t.Fatal(err)
		}
		writer := e.client(t, "alice", nil)
		appendMsg(t, writer, "INBOX", msgs[0], nil)
		select {
		case n := <-exists:
			if n != 1 {
				t.Fatalf("EXISTS %d", n)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no EXISTS during IDLE")
		}
		if err := idle.Close(); err != nil {
			t.Fatal(err)
		}
		if err := idle.Wait(); err != nil {
			t.Fatal(err)
		}
	})
}
