package imaptest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"mime"
	"net/textproto"
	"strings"
	"sync"

	"github.com/emersion/go-imap/v2"
)

// msgInfo is what a stress client knows about a message's content, to
// check FETCH replies against it.
type msgInfo struct {
	hash     [32]byte
	size     int64  // RFC822.SIZE
	mimeType string // lower-case "type/subtype" of the top-level part
	parts    int    // direct children of a multipart body (0 otherwise)
	bodySize int64  // octets of a non-multipart body (RFC 3501 §7.4.2 body-fld-octets)
}

// describeMessage computes msgInfo from a message's exact bytes.
func describeMessage(data []byte) *msgInfo {
	mi := &msgInfo{hash: sha256.Sum256(data), size: int64(len(data)), mimeType: "text/plain"}
	hdrEnd := bytes.Index(data, []byte("\r\n\r\n"))
	body := []byte{}
	headerBytes := data
	if hdrEnd >= 0 {
		headerBytes = data[:hdrEnd+4]
		body = data[hdrEnd+4:]
	}
	tr := textproto.NewReader(bufio.NewReader(bytes.NewReader(headerBytes)))
	h, _ := tr.ReadMIMEHeader()
	ct := h.Get("Content-Type")
	params := map[string]string{}
	if ct != "" {
		if mt, p, err := mime.ParseMediaType(ct); err == nil {
			mi.mimeType, params = mt, p
		}
	}
	if strings.HasPrefix(mi.mimeType, "multipart/") {
		mi.parts = countParts(body, params["boundary"])
	} else {
		mi.bodySize = int64(len(body))
	}
	return mi
}

// countParts counts the top-level parts between "--boundary" lines
// (RFC 2046 §5.1.1).
func countParts(body []byte, boundary string) int {
	if boundary == "" {
		return 0
	}
	delim := []byte("--" + boundary)
	n := 0
	for _, line := range bytes.Split(body, []byte("\r\n")) {
		line = bytes.TrimRight(line, " \t")
		if bytes.Equal(line, delim) {
			n++
		} else if bytes.Equal(line, append(append([]byte{}, delim...), '-', '-')) {
			break
		}
	}
	return n
}

// checkBodyStructure compares a FETCH BODYSTRUCTURE with the message.
func (mi *msgInfo) checkBodyStructure(bs imap.BodyStructure) error {
	got := strings.ToLower(bs.MediaType())
	if got != mi.mimeType {
		return fmt.Errorf("BODYSTRUCTURE type %s, message has %s", got, mi.mimeType)
	}
	switch b := bs.(type) {
	case *imap.BodyStructureMultiPart:
		if len(b.Children) != mi.parts {
			return fmt.Errorf("BODYSTRUCTURE has %d parts, message has %d", len(b.Children), mi.parts)
		}
	case *imap.BodyStructureSinglePart:
		if int64(b.Size) != mi.bodySize {
			return fmt.Errorf("BODYSTRUCTURE body size %d, message body has %d octets", b.Size, mi.bodySize)
		}
	}
	return nil
}

// msgKey names a message in a mailbox across clients.
type msgKey struct {
	user        string
	uidValidity uint32
	uid         imap.UID
}

// catalog is shared by all clients: for every message seen or appended,
// its content description, and every UID known to be expunged.
type catalog struct {
	mu       sync.Mutex
	byKey    map[msgKey]*msgInfo
	expunged map[msgKey]bool
}

func newCatalog() *catalog {
	return &catalog{byKey: map[msgKey]*msgInfo{}, expunged: map[msgKey]bool{}}
}

func (c *catalog) get(k msgKey) *msgInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey[k]
}

// bind records mi for k unless already known; it returns the known one.
func (c *catalog) bind(k msgKey, mi *msgInfo) *msgInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.byKey[k]; ok {
		return old
	}
	c.byKey[k] = mi
	return mi
}

func (c *catalog) markExpunged(k msgKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expunged[k] = true
	delete(c.byKey, k)
}

func (c *catalog) isExpunged(k msgKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.expunged[k]
}
